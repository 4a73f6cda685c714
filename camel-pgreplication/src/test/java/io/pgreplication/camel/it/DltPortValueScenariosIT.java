package io.pgreplication.camel.it;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.ColumnMetadata;
import io.pgreplication.camel.event.RelationMetadata;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ports of dlt's pg_replication value tests ({@code test_mapped_data_types},
 * {@code test_timestamp_without_tz_and_json}, {@code test_unmapped_data_types}) with dlt's data ({@code cases.py}
 * {@code TABLE_ROW_ALL_DATA_TYPES}), checked against our events instead of a destination schema, in text and in
 * binary mode. Where dlt loads everything it does not map as text, we expect the docs/types.md value (uuid is a UUID).
 */
class DltPortValueScenariosIT extends ReplicationITSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String LINK = "?commen\ntU\nrn=urn%3Ali%3Acomment%3A%28acti\012 \u0006 \\vity%3A69'08444473\n\n"
                                       + "551163392%2C6n \r \u008e9085\"";
    private static final String COLUMNS = "col1 bigint PRIMARY KEY, col2 double precision NOT NULL,"
            + " col3 boolean NOT NULL, col4 timestamptz NOT NULL, col5 varchar NOT NULL, col6 numeric(38,9) NOT NULL,"
            + " col7 bytea NOT NULL, col9 jsonb NOT NULL, col10 date NOT NULL, col11 time NOT NULL,"
            + " col1_null bigint, col2_null double precision, col3_null boolean, col4_null timestamptz,"
            + " col5_null varchar, col6_null numeric(38,9), col7_null bytea, col9_null jsonb, col10_null date,"
            + " col11_null time, col1_precision smallint NOT NULL, col4_precision timestamptz(3) NOT NULL,"
            + " col5_precision varchar(25) NOT NULL, col6_precision numeric(6,2) NOT NULL,"
            + " col7_precision bytea NOT NULL, col11_precision time(3) NOT NULL";

    /** dlt's TABLE_ROW_ALL_DATA_TYPES with col1 = id, as an INSERT (E'' strings carry the control characters). */
    private static String row(String table, long id, double col2, boolean col3) {
        return "INSERT INTO " + table + " VALUES (" + id + ", " + col2 + ", " + col3 + ","
               + " '2022-05-23T13:26:45.176451+00:00', E'string data \\n \\r \u008e 🦆', 2323.34,"
               + " E'binary data \\\\012 \\\\015 \\\\216'::bytea,"
               + " " + sqlString(json().toString()) + ", '2023-02-27', '13:26:45.176451',"
               + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
               + " 22324, '2022-05-23T13:26:46.167231+00:00', E'string data 2 \\n \\r \u008e 🦆', 2323.34,"
               + " E'binary data 2 \\\\012 \\\\015 \\\\216'::bytea, '13:26:45.176451')";
    }

    private static JsonNode json() {
        return MAPPER.createObjectNode().put("link", LINK).set("complex",
                MAPPER.createArrayNode().add(1).add(2).add(3).add("a"));
    }

    private static String sqlString(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    @ParameterizedTest(name = "binaryValues={0}")
    @ValueSource(booleans = {false, true})
    void dltMappedDataTypesArriveAsTheirJavaValuesThroughInsertsMergesAndUpdates(boolean binary) throws Exception {
        String items = TestDatabase.uniqueName("items");
        db.execute("CREATE TABLE " + items + " (" + COLUMNS + ")");
        Received received = stream("tables=" + items + "&binaryValues=" + binary + "&batchTimeout=20");

        db.execute(row(items, 1, 898912.821982, true), row(items, 2, 898912.821982, true));
        // dlt's merge of r1.col2=1.5 and r2.col3=false reaches the source as delete-and-insert in one transaction.
        db.execute("BEGIN; DELETE FROM " + items + " WHERE col1 IN (1, 2); " + row(items, 1, 1.5, true) + "; "
                   + row(items, 2, 898912.821982, false) + "; COMMIT");
        db.execute("UPDATE " + items + " SET col2 = 2.5 WHERE col1 = 2");

        await().until(() -> received.eventCount() == 7);
        List<ChangeEvent> events = received.events();
        assertThat(events).extracting(ChangeEvent::getOp)
                .containsExactly("insert", "insert", "delete", "delete", "insert", "insert", "update");

        Map<String, Object> first = events.get(0).getAfter();
        assertThat(first).containsEntry("col1", 1L).containsEntry("col2", 898912.821982).containsEntry("col3", true)
                .containsEntry("col4", OffsetDateTime.of(2022, 5, 23, 13, 26, 45, 176_451_000, ZoneOffset.UTC))
                .containsEntry("col5", "string data \n \r \u008e 🦆")
                .containsEntry("col6", new BigDecimal("2323.340000000"))
                .containsEntry("col9", json())
                .containsEntry("col10", LocalDate.of(2023, 2, 27))
                .containsEntry("col11", LocalTime.of(13, 26, 45, 176_451_000))
                .containsEntry("col1_precision", (short) 22324)
                .containsEntry("col4_precision", OffsetDateTime.of(2022, 5, 23, 13, 26, 46, 167_000_000, ZoneOffset.UTC))
                .containsEntry("col5_precision", "string data 2 \n \r \u008e 🦆")
                .containsEntry("col6_precision", new BigDecimal("2323.34"))
                .containsEntry("col11_precision", LocalTime.of(13, 26, 45, 176_000_000));
        assertThat((byte[]) first.get("col7")).isEqualTo(bytes("binary data \n \r ", 0x8e));
        assertThat((byte[]) first.get("col7_precision")).isEqualTo(bytes("binary data 2 \n \r ", 0x8e));
        for (String nullable : List.of("col1_null", "col2_null", "col3_null", "col4_null", "col5_null", "col6_null",
                "col7_null", "col9_null", "col10_null", "col11_null")) {
            assertThat(first).containsEntry(nullable, null);
        }

        // The rows after merge and update, as dlt asserts them: {1, 1.5, true} and {2, 2.5, false}.
        Map<Long, Map<String, Object>> rows = new HashMap<>();
        for (ChangeEvent e : events) {
            if (e.getAfter() == null) {
                rows.remove((Long) e.getKey().get("col1"));
            } else {
                rows.put((Long) e.getAfter().get("col1"), e.getAfter());
            }
        }
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1L)).containsEntry("col2", 1.5).containsEntry("col3", true);
        assertThat(rows.get(2L)).containsEntry("col2", 2.5).containsEntry("col3", false);

        // dlt checks the destination types and precisions; our Relation header carries the same facts.
        RelationMetadata relation = (RelationMetadata) received.batches().get(0).headers()
                .get(PgReplicationConstants.RELATION);
        Map<String, ColumnMetadata> columns = new HashMap<>();
        relation.columns().forEach(c -> columns.put(c.name(), c));
        assertThat(columns.get("col1").typeName()).isEqualTo("bigint");
        assertThat(columns.get("col2").typeName()).isEqualTo("double precision");
        assertThat(columns.get("col4").typeName()).isEqualTo("timestamp with time zone");
        assertThat(columns.get("col9").typeName()).isEqualTo("jsonb");
        assertThat(columns.get("col1_precision").typeName()).isEqualTo("smallint");
        assertThat(columns.get("col4_precision").typeModifier()).isEqualTo(3);
        assertThat(columns.get("col5_precision").typeModifier()).isEqualTo(25 + 4);
        assertThat(columns.get("col6_precision").typeModifier()).isEqualTo((6 << 16 | 2) + 4);
        assertThat(columns.get("col11_precision").typeModifier()).isEqualTo(3);
    }

    @ParameterizedTest(name = "binaryValues={0}")
    @ValueSource(booleans = {false, true})
    void dltTimestampWithoutTimeZoneAndJsonKeepTheirTypes(boolean binary) throws Exception {
        String items = TestDatabase.uniqueName("items");
        db.execute("CREATE TABLE " + items + " (col4 timestamptz, col9 jsonb, col0 timestamptz)",
                "ALTER TABLE " + items + " ALTER COLUMN col0 TYPE timestamp without time zone"
                + " USING col0 AT TIME ZONE 'UTC'",
                "ALTER TABLE " + items + " ALTER COLUMN col9 TYPE json");
        assertThat(db.queryColumn("SELECT data_type FROM information_schema.columns WHERE table_name = '" + items
                                  + "' ORDER BY column_name"))
                .containsExactly("timestamp without time zone", "timestamp with time zone", "json");
        Received received = stream("tables=" + items + "&publish=insert&binaryValues=" + binary);

        db.execute("INSERT INTO " + items + " VALUES ('2022-05-23T13:26:45.176451+00:00', "
                   + sqlString(json().toString()) + ", '2022-05-23T13:26:45.176451')");

        await().until(() -> received.eventCount() == 1);
        Map<String, Object> after = received.events().get(0).getAfter();
        assertThat(after.get("col0")).isEqualTo(LocalDateTime.of(2022, 5, 23, 13, 26, 45, 176_451_000));
        assertThat(after.get("col4")).isEqualTo(OffsetDateTime.of(2022, 5, 23, 13, 26, 45, 176_451_000,
                ZoneOffset.UTC));
        assertThat(after.get("col9")).isEqualTo(json());
        JsonNode event = MAPPER.readTree(received.batches().get(0).json()).get(0).get("after");
        assertThat(event.get("col0").asText()).isEqualTo("2022-05-23T13:26:45.176451");
        assertThat(event.get("col4").asText()).isEqualTo("2022-05-23T13:26:45.176451Z");
        assertThat(event.get("col9")).isEqualTo(json());
        RelationMetadata relation = (RelationMetadata) received.batches().get(0).headers()
                .get(PgReplicationConstants.RELATION);
        assertThat(relation.columns()).extracting(ColumnMetadata::typeName)
                .containsExactly("timestamp with time zone", "json", "timestamp without time zone");
    }

    @ParameterizedTest(name = "binaryValues={0}")
    @ValueSource(booleans = {false, true})
    void dltUnmappedDataTypesArriveAsTextExceptUuid(boolean binary) throws Exception {
        String table = TestDatabase.uniqueName("data_types");
        db.execute("CREATE TABLE " + table + " (bit_col bit(1), box_col box, uuid_col uuid)");
        Received received = stream("tables=" + table + "&publish=insert&binaryValues=" + binary);

        db.execute("INSERT INTO " + table + " VALUES (B'1', box '((1,1),(0,0))', gen_random_uuid())");

        await().until(() -> received.eventCount() == 1);
        Map<String, Object> after = received.events().get(0).getAfter();
        assertThat(after.get("bit_col")).isEqualTo("1");
        assertThat(after.get("box_col")).isEqualTo("(1,1),(0,0)");
        assertThat(after.get("uuid_col"))
                .isEqualTo(UUID.fromString(db.queryString("SELECT uuid_col FROM " + table)));
    }

    private static byte[] bytes(String ascii, int last) {
        byte[] start = ascii.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[start.length + 1];
        System.arraycopy(start, 0, out, 0, start.length);
        out[start.length] = (byte) last;
        return out;
    }
}
