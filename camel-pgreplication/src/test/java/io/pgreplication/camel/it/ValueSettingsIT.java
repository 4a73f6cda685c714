package io.pgreplication.camel.it;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

import static io.pgreplication.camel.value.ComparableValues.comparable;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values never depend on where the consumer runs (docs/types.md): with the JVM in Asia/Kolkata and a role whose
 * defaults differ in every setting that changes a text form, the consumer still delivers what the server prints
 * under TimeZone=UTC, DateStyle=ISO, IntervalStyle=iso_8601, extra_float_digits=3, bytea_output=hex,
 * lc_monetary=C and an empty search_path — streamed in text and binary mode, in the initial snapshot (text and binary
 * COPY) and from the producer's snapshot; and json/jsonb numbers keep every digit in all of them.
 */
@Tag("compat")
class ValueSettingsIT extends ReplicationITSupport {

    /** What the documented settings make the server print; the oracle for every text form. */
    private static final List<String> DOCUMENTED = List.of("SET TimeZone = 'UTC'", "SET DateStyle = 'ISO'",
            "SET IntervalStyle = 'iso_8601'", "SET extra_float_digits = 3", "SET bytea_output = 'hex'",
            "SET lc_monetary = 'C'", "SET search_path = ''", "SET quote_all_identifiers = off");
    private static final String BIG = "12345678901234567890.12345678901234567890";
    private static final String SMALL = "0.1000000000000000055511151231257827";

    private TimeZone jvmZone;
    private String role;
    private String database;
    private String mixed;
    private String exact;
    private String pair;

    @BeforeEach
    void aRoleWithOddDefaultsAndAJvmInKolkata() {
        jvmZone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
        role = TestDatabase.uniqueName("odd_role");
        mixed = TestDatabase.uniqueName("mixed");
        exact = TestDatabase.uniqueName("exact");
        pair = mixed + "_pair";
        database = Driver.parseURL(db.jdbcUrl(), new Properties()).getProperty("PGDBNAME");
        boolean multiranges = db.serverVersion() >= 140000;
        db.execute("CREATE ROLE " + role + " LOGIN REPLICATION",
                "GRANT CREATE ON DATABASE " + database + " TO " + role,
                "ALTER ROLE " + role + " SET TimeZone = 'Pacific/Chatham'",
                "ALTER ROLE " + role + " SET DateStyle = 'SQL, DMY'",
                "ALTER ROLE " + role + " SET IntervalStyle = 'postgres_verbose'",
                "ALTER ROLE " + role + " SET extra_float_digits = -2",
                "ALTER ROLE " + role + " SET bytea_output = 'escape'",
                "ALTER ROLE " + role + " SET search_path = public",
                "ALTER ROLE " + role + " SET quote_all_identifiers = on",
                "CREATE TYPE " + pair + " AS (at timestamptz, ratio float8, raw bytea, span interval)",
                "CREATE TABLE " + mixed + " (id int PRIMARY KEY, r tstzrange, ranges "
                + (multiranges ? "tstzmultirange" : "text") + ", p point, c " + pair + ", m money, rc regclass,"
                + " rs tstzrange[])",
                "CREATE TABLE " + exact + " (id int PRIMARY KEY, ts timestamptz, ts_arr timestamptz[], d date,"
                + " iv interval, f8 float8, raw bytea, jb jsonb, jb_scalar jsonb, j json)",
                "ALTER TABLE " + mixed + " OWNER TO " + role, "ALTER TABLE " + exact + " OWNER TO " + role);
        insert(1);
    }

    @AfterEach
    void dropRoleAndRestoreZone() throws Exception {
        for (CamelContext context : contexts) {
            context.stop();
        }
        db.dropSlotAndPublication(slot, publication);
        TimeZone.setDefault(jvmZone);
        db.execute("DROP TABLE IF EXISTS " + mixed + ", " + exact, "DROP TYPE IF EXISTS " + pair,
                "REVOKE CREATE ON DATABASE " + database + " FROM " + role, "DROP OWNED BY " + role,
                "DROP ROLE " + role);
    }

    @Test
    void textModeAndTheSnapshotDeliverWhatTheServerPrintsUnderTheDocumentedSettings() throws Exception {
        Received received = consume(slot, mixed + "," + exact, "binaryValues=false");
        insert(2);
        await().until(() -> ids(received, mixed).size() == 2 && ids(received, exact).size() == 2);

        assertMixed(received);
        assertExact(received);
    }

    @Test
    void binaryModeAndBinaryCopyDeliverTheSameValues() throws Exception {
        Received received = consume(slot, exact, "binaryValues=true");
        insert(2);
        await().until(() -> ids(received, exact).size() == 2);

        assertExact(received);
        if (db.serverVersion() >= 140000) {
            assertThat(db.queryString("SELECT query FROM pg_stat_activity WHERE pid = (SELECT active_pid FROM"
                                      + " pg_replication_slots WHERE slot_name = '" + slot + "')"))
                    .contains("\"binary\" 'true'");
        }
    }

    @Test
    void theProducersSnapshotDeliversTheSameValues() throws Exception {
        // The publication exists once a consumer made it; the producer reads it.
        consume(slot, mixed + "," + exact, "binaryValues=false");
        Received received = new Received();
        CamelContext context = start(new RouteBuilder() {
            public void configure() {
                from("direct:snapshot").to(as("pgreplication:" + slot + "?publication=" + publication + "&tables="
                                              + mixed + "," + exact + "&operation=snapshot"))
                        .split(body()).streaming().process(received);
            }
        });
        ProducerTemplate template = context.createProducerTemplate();
        template.sendBody("direct:snapshot", null);
        assertThat(ids(received, mixed)).containsExactly(1);
        assertThat(ids(received, exact)).containsExactly(1);

        assertMixed(received);
        assertExact(received);
    }

    @Test
    void jsonNumbersKeepEveryDigitInTheRowsFormat() throws Exception {
        List<String> bodies = new ArrayList<>();
        start(new RouteBuilder() {
            public void configure() {
                from(as("pgreplication:" + slot + "?publication=" + publication + "&tables=" + exact
                        + "&snapshotMode=initial&outputFormat=rows&batchTimeout=20"))
                        .process(e -> bodies.add(e.getIn().getBody(String.class)));
            }
        });
        awaitStreaming();
        insert(2);
        await().until(() -> String.join("", bodies).split("\"jb_scalar\"").length == 3);

        String json = String.join("", bodies);
        assertThat(json).contains("\"jb_scalar\":" + BIG).contains("\"big\":" + SMALL)
                .contains("\"n\":" + BIG).contains("\"tiny\":0.0000001").contains("\"scale\":1.50");
    }

    /** A route from the slot, connecting as the role with odd defaults, after its initial snapshot. */
    private Received consume(String slotName, String tables, String extra) throws Exception {
        Received received = new Received();
        start(new RouteBuilder() {
            public void configure() {
                from(as("pgreplication:" + slotName + "?publication=" + publication + "&tables=" + tables
                        + "&snapshotMode=initial&batchTimeout=20&" + extra)).process(received);
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> "t".equals(db.queryString(
                "SELECT active FROM pg_replication_slots WHERE slot_name = '" + slotName + "'")));
        return received;
    }

    /** The endpoint URI with the test server's URL, connecting as the role with odd defaults. */
    private String as(String uri) {
        Properties p = Driver.parseURL(db.jdbcUrl(), new Properties());
        return uri + "&url=RAW(jdbc:postgresql://" + p.getProperty("PGHOST") + ":" + p.getProperty("PGPORT") + "/"
               + database + ")&user=" + role;
    }

    private void insert(int id) {
        String ranges = db.serverVersion() >= 140000
                ? "tstzmultirange(tstzrange('2014-08-04 00:00:00+02', '2014-08-05 00:00:00+02'))" : "'none'";
        db.execute("INSERT INTO " + mixed + " VALUES (" + id + ", tstzrange('2014-08-04 00:00:00+02', 'infinity'), "
                   + ranges + ", point(0.1::float8 + 0.2::float8, 1), ROW('2014-08-04 00:00:00+02', 0.1::float8 + 0.2::float8, '\\x0102',"
                   + " interval '1 day 2 hours')::" + pair + ", 1234.5, '" + mixed + "'::regclass,"
                   + " ARRAY[tstzrange('2014-08-04 00:00:00+02', '2014-08-04 01:00:00+02')])",
                "INSERT INTO " + exact + " VALUES (" + id + ", '2014-08-04 00:00:00+02',"
                + " ARRAY['2014-08-04 00:00:00+02'::timestamptz, '-infinity'], '2014-08-04',"
                + " '1 year 2 months 3 days 4 hours 5 minutes 6.5 seconds', 0.1::float8 + 0.2::float8, '\\x00ff5c',"
                + " '{\"big\": " + SMALL + ", \"n\": " + BIG + ", \"tiny\": 0.0000001, \"scale\": 1.50}',"
                + " '" + BIG + "', '{\"n\": " + BIG + "}')");
    }

    private void assertMixed(Received received) throws Exception {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("r", "[\"2014-08-03 22:00:00+00\",infinity)");
        expected.put("ranges", db.serverVersion() >= 140000 ? "{[\"2014-08-03 22:00:00+00\",\"2014-08-04 22:00:00+00\")}"
                : "none");
        expected.put("p", "(0.30000000000000004,1)");
        expected.put("c", documented("c", mixed));
        expected.put("m", documented("m", mixed));
        expected.put("rc", "public." + mixed);
        expected.put("rs", List.of("[\"2014-08-03 22:00:00+00\",\"2014-08-03 23:00:00+00\")"));
        assertThat(expected.get("c")).isEqualTo("(\"2014-08-03 22:00:00+00\",0.30000000000000004,\"\\\\x0102\",P1DT2H)");
        assertThat(expected.get("m")).isEqualTo("$1,234.50");
        for (ChangeEvent event : rows(received, mixed)) {
            Map<String, Object> after = new LinkedHashMap<>(event.getAfter());
            after.remove("id");
            assertThat(after).as(event.getOp() + " of row " + event.getKey()).isEqualTo(expected);
        }
    }

    private void assertExact(Received received) throws Exception {
        OffsetDateTime at = OffsetDateTime.of(2014, 8, 3, 22, 0, 0, 0, ZoneOffset.UTC);
        for (ChangeEvent event : rows(received, exact)) {
            Map<String, Object> after = event.getAfter();
            String what = event.getOp() + " of row " + event.getKey();
            assertThat(after.get("ts")).as(what).isEqualTo(at);
            assertThat(((OffsetDateTime) after.get("ts")).getOffset()).as(what).isEqualTo(ZoneOffset.UTC);
            assertThat(after.get("ts_arr")).as(what).isEqualTo(List.of(at, "-infinity"));
            assertThat(after.get("d")).as(what).isEqualTo(LocalDate.of(2014, 8, 4));
            assertThat(after.get("iv")).as(what).isEqualTo("P1Y2M3DT4H5M6.5S");
            assertThat(after.get("f8")).as(what).isEqualTo(0.30000000000000004);
            assertThat(comparable(after.get("raw"))).as(what).isEqualTo(comparable(new byte[] {0, (byte) 0xff, 0x5c}));
            JsonNode jb = (JsonNode) after.get("jb");
            assertThat(jb.get("big").decimalValue()).as(what).isEqualTo(new BigDecimal(SMALL));
            assertThat(jb.get("n").decimalValue()).as(what).isEqualTo(new BigDecimal(BIG));
            assertThat(jb.get("scale").decimalValue().toPlainString()).as(what).isEqualTo("1.50");
            assertThat(((JsonNode) after.get("jb_scalar")).decimalValue()).as(what).isEqualTo(new BigDecimal(BIG));
            assertThat(((JsonNode) after.get("j")).get("n").decimalValue()).as(what).isEqualTo(new BigDecimal(BIG));
        }
        assertThat(received.json(exact)).contains("\"jb_scalar\":" + BIG).contains("\"big\":" + SMALL).contains("\"n\":" + BIG)
                .contains("\"tiny\":0.0000001").contains("\"scale\":1.50");
    }

    /**
     * The rows of one table: row 1, inserted before the start, from a snapshot; row 2, when there is one, streamed.
     */
    private static List<ChangeEvent> rows(Received received, String table) {
        List<ChangeEvent> rows = received.events().stream().filter(e -> table.equals(e.getTable())).toList();
        assertThat(rows).isNotEmpty();
        for (ChangeEvent row : rows) {
            assertThat(row.getOp()).as("row " + row.getKey())
                    .isEqualTo(row.getAfter().get("id").equals(1) ? "snapshot" : "insert");
        }
        return rows;
    }

    private static List<Object> ids(Received received, String table) {
        return received.events().stream().filter(e -> table.equals(e.getTable()))
                .map(e -> e.getAfter().get("id")).toList();
    }

    /** A column's text form as the server prints it under the documented settings. */
    private String documented(String column, String table) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String set : DOCUMENTED) {
                st.execute(set);
            }
            try (ResultSet rs = st.executeQuery("SELECT " + column + "::text FROM public." + table + " WHERE id = 1")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
