package io.pgreplication.camel.it;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.value.ExactJson;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static io.pgreplication.camel.value.ComparableValues.comparable;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/types.md: the same changes streamed by a text-mode and a binary-mode consumer (two slots created before the changes)
 * give identical events, and the values are the Java values that were inserted. Tagged {@code compat}: main's
 * version matrix runs it on every supported major (on 13, which has no binary values, both consumers stream text).
 */
@Tag("compat")
class ValuesTextBinaryEqualityIT extends ReplicationITSupport {

    private static final ObjectMapper MAPPER = ExactJson.MAPPER;
    private String binarySlot;

    @AfterEach
    void dropBinarySlot() throws Exception {
        for (CamelContext context : contexts) {
            context.stop();
        }
        if (binarySlot != null) {
            db.dropSlotAndPublication(binarySlot, publication);
        }
    }

    @Test
    void textAndBinaryModeGiveIdenticalEventsHoldingTheInsertedValues() throws Exception {
        String table = TestDatabase.uniqueName("all_types");
        String mood = table + "_mood";
        String positive = table + "_positive";
        db.execute("CREATE EXTENSION IF NOT EXISTS citext",
                "CREATE TYPE " + mood + " AS ENUM ('sad', 'happy', '😀 joy')",
                "CREATE DOMAIN " + positive + " AS int CHECK (VALUE > 0)",
                "CREATE TABLE " + table + " (id int PRIMARY KEY, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8,"
                + " n numeric, n_fixed numeric(38,9), b bool, t text, vc varchar(25), bp char(5), nm name, ci citext,"
                + " by bytea, u uuid, d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval,"
                + " j json, jb jsonb, a_int int[], a_text text[], a_num numeric[], a_tstz timestamptz[],"
                + " a_multi int[][], a_jsonb jsonb[], e " + mood + ", e_arr " + mood + "[], dom " + positive + ","
                + " dom_arr " + positive + "[], ip inet, net cidr, mac macaddr, bits bit(4), vbits varbit, o oid,"
                + " lsn pg_lsn, x xml, big text)",
                "ALTER TABLE " + table + " ALTER COLUMN big SET STORAGE EXTERNAL");
        Received text = new Received();
        Received binary = new Received();
        binarySlot = slot + "_bin";
        startRoute("tables=" + table + "&binaryValues=false&batchTimeout=20", text);
        awaitStreaming();
        start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + table + "&binaryValues=true&batchTimeout=20").replaceFirst(slot, binarySlot))
                        .process(binary);
            }
        });
        await().until(() -> "t".equals(db.queryString("SELECT active FROM pg_replication_slots WHERE slot_name = '"
                                                      + binarySlot + "'")));
        // PostgreSQL 13 has no binary option: both consumers stream text there.
        assertThat(walsenderCommand(binarySlot)).contains(db.serverVersion() >= 140000 ? "\"binary\" 'true'" : "");
        assertThat(walsenderCommand(slot)).doesNotContain("binary");

        // numeric infinities exist from PostgreSQL 14 on.
        String numericInfinity = db.serverVersion() >= 140000 ? "Infinity" : "NaN";
        db.execute("INSERT INTO " + table + " VALUES (1, -32768, 2147483647, -9223372036854775808, 1.5, 898912.821982,"
                   + " 2323.34, 2323.34, true, 'string data \n \r \u008e 🦆', 'varchar', 'ab', 'a name', 'MiXeD',"
                   + " '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2023-02-27', '13:26:45.176451',"
                   + " '13:26:45+05:30', '2022-05-23 13:26:45.176451', '2022-05-23 13:26:45.176451+02',"
                   + " '1 year 2 months 3 days 4 hours 5 minutes 6.5 seconds',"
                   + " '{\"complex\":[1,2,3,\"a\"],\"link\":\"a\\nb \\\"q\\\" %20\"}', '{\"nested\":{\"x\":[null,true,1.5]}}',"
                   + " '{1,2,NULL}', '{\"a b\",\"c,d\",\"e\\\"f\",NULL,\"\"}', '{1.50,NaN}',"
                   + " '{\"2022-05-23 13:26:45+00\",infinity}', '{{1,2},{3,NULL}}', ARRAY['{\"a\":1}'::jsonb, NULL],"
                   + " 'happy', '{sad,\"😀 joy\"}', 7, '{1,2}', '192.168.0.1', '2001:db8::/32', '08:00:2b:01:02:03',"
                   + " B'1010', B'01', 4294967295, '16/B374D848', '<a b=\"1\">x</a>', 'small')",
                "INSERT INTO " + table + " (id, n, n_fixed, f4, f8, ts, tstz, d, iv, t, by, big) VALUES (2,"
                + " (repeat('9', 500) || '.' || repeat('1', 500))::numeric, -0.000000001, 'NaN', '-Infinity',"
                + " 'infinity', '-infinity', '-infinity', '-1 year -2 months 3 days -0.5 seconds', '😀🦆 ünïcödé',"
                + " (SELECT decode(string_agg(lpad(to_hex(g), 2, '0'), ''), 'hex') FROM generate_series(0, 255) g),"
                + " repeat('x', 1024 * 1024))",
                "INSERT INTO " + table + " (id) VALUES (3)",
                "INSERT INTO " + table + " (id, n, f4, f8) VALUES (4, '" + numericInfinity + "', 'Infinity', 'NaN')",
                "UPDATE " + table + " SET i4 = 99 WHERE id = 2",
                "ALTER TABLE " + table + " REPLICA IDENTITY FULL",
                "UPDATE " + table + " SET i4 = 100 WHERE id = 2",
                "DELETE FROM " + table + " WHERE id = 3");

        await().until(() -> text.eventCount() == 7 && binary.eventCount() == 7);
        List<ChangeEvent> t = text.events();
        List<ChangeEvent> b = binary.events();
        for (int i = 0; i < t.size(); i++) {
            assertThat(comparable(b.get(i).getAfter())).as("after of event " + i)
                    .isEqualTo(comparable(t.get(i).getAfter()));
            assertThat(comparable(b.get(i).getBefore())).as("before of event " + i)
                    .isEqualTo(comparable(t.get(i).getBefore()));
            assertThat(b.get(i).getKey()).isEqualTo(t.get(i).getKey());
            assertThat(b.get(i).getUnchangedToast()).isEqualTo(t.get(i).getUnchangedToast());
        }
        assertThat(json(binary)).isEqualTo(json(text));

        Map<String, Object> row1 = t.get(0).getAfter();
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("id", 1);
        expected.put("i2", (short) -32768);
        expected.put("i4", Integer.MAX_VALUE);
        expected.put("i8", Long.MIN_VALUE);
        expected.put("f4", 1.5f);
        expected.put("f8", 898912.821982);
        expected.put("n", new BigDecimal("2323.34"));
        expected.put("n_fixed", new BigDecimal("2323.340000000"));
        expected.put("b", true);
        expected.put("t", "string data \n \r \u008e 🦆");
        expected.put("vc", "varchar");
        expected.put("bp", "ab   ");
        expected.put("nm", "a name");
        expected.put("ci", "MiXeD");
        expected.put("by", new byte[] {0x00, (byte) 0xff, 0x10});
        expected.put("u", UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        expected.put("d", LocalDate.of(2023, 2, 27));
        expected.put("tm", LocalTime.of(13, 26, 45, 176_451_000));
        expected.put("ttz", OffsetTime.of(13, 26, 45, 0, ZoneOffset.ofHoursMinutes(5, 30)));
        expected.put("ts", LocalDateTime.of(2022, 5, 23, 13, 26, 45, 176_451_000));
        expected.put("tstz", OffsetDateTime.of(2022, 5, 23, 11, 26, 45, 176_451_000, ZoneOffset.UTC));
        expected.put("iv", "P1Y2M3DT4H5M6.5S");
        expected.put("j", MAPPER.readTree("{\"complex\":[1,2,3,\"a\"],\"link\":\"a\\nb \\\"q\\\" %20\"}"));
        expected.put("jb", MAPPER.readTree("{\"nested\":{\"x\":[null,true,1.5]}}"));
        expected.put("a_int", Arrays.asList(1, 2, null));
        expected.put("a_text", Arrays.asList("a b", "c,d", "e\"f", null, ""));
        expected.put("a_num", List.of(new BigDecimal("1.50"), "NaN"));
        expected.put("a_tstz", List.of(OffsetDateTime.of(2022, 5, 23, 13, 26, 45, 0, ZoneOffset.UTC), "infinity"));
        expected.put("a_multi", List.of(List.of(1, 2), Arrays.asList(3, null)));
        expected.put("a_jsonb", Arrays.asList(MAPPER.readTree("{\"a\":1}"), null));
        expected.put("e", "happy");
        expected.put("e_arr", List.of("sad", "😀 joy"));
        expected.put("dom", 7);
        expected.put("dom_arr", List.of(1, 2));
        expected.put("ip", "192.168.0.1");
        expected.put("net", "2001:db8::/32");
        expected.put("mac", "08:00:2b:01:02:03");
        expected.put("bits", "1010");
        expected.put("vbits", "01");
        expected.put("o", "4294967295");
        expected.put("lsn", "16/B374D848");
        expected.put("x", "<a b=\"1\">x</a>");
        expected.put("big", "small");
        assertThat(comparable(row1)).isEqualTo(comparable(expected));

        Map<String, Object> row2 = t.get(1).getAfter();
        assertThat(row2.get("n")).isEqualTo(new BigDecimal("9".repeat(500) + "." + "1".repeat(500)));
        assertThat(row2.get("n_fixed")).isEqualTo(new BigDecimal("-0.000000001"));
        assertThat(row2.get("f4")).isEqualTo(Float.NaN);
        assertThat(row2.get("f8")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(row2.get("ts")).isEqualTo("infinity");
        assertThat(row2.get("tstz")).isEqualTo("-infinity");
        assertThat(row2.get("d")).isEqualTo("-infinity");
        assertThat(row2.get("iv")).isEqualTo("P-1Y-2M3DT-0.5S");
        assertThat(row2.get("t")).isEqualTo("😀🦆 ünïcödé");
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        assertThat((byte[]) row2.get("by")).isEqualTo(all);
        assertThat(row2.get("big")).isEqualTo("x".repeat(1024 * 1024));

        Map<String, Object> row3 = t.get(2).getAfter();
        assertThat(row3).hasSize(expected.size()).containsEntry("id", 3);
        assertThat(row3.values().stream().filter(v -> v != null)).containsExactly(3);
        Map<String, Object> row4 = t.get(3).getAfter();
        assertThat(row4.get("n")).isEqualTo(numericInfinity);
        assertThat(row4.get("f4")).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(row4.get("f8")).isEqualTo(Double.NaN);

        // The unchanged 1 MB value is not sent: left out under DEFAULT, filled from the old row under FULL.
        ChangeEvent toastUpdate = t.get(4);
        assertThat(toastUpdate.getUnchangedToast()).containsExactly("big");
        assertThat(toastUpdate.getAfter()).doesNotContainKey("big").containsEntry("i4", 99);
        ChangeEvent fullUpdate = t.get(5);
        assertThat(fullUpdate.getUnchangedToast()).isNull();
        assertThat(fullUpdate.getAfter()).containsEntry("i4", 100).containsEntry("big", "x".repeat(1024 * 1024));
        assertThat(fullUpdate.getBefore()).containsEntry("i4", 99);
        ChangeEvent delete = t.get(6);
        assertThat(delete.getOp()).isEqualTo("delete");
        assertThat(delete.getBefore()).containsEntry("id", 3).hasSize(expected.size());
    }

    private String walsenderCommand(String slotName) {
        return db.queryString("SELECT query FROM pg_stat_activity WHERE pid = (SELECT active_pid FROM"
                              + " pg_replication_slots WHERE slot_name = '" + slotName + "')");
    }

    /** Every event's JSON, in order, whatever the batching. */
    static List<JsonNode> json(Received received) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (Received.Batch batch : received.batches()) {
            MAPPER.readTree(batch.json()).forEach(events::add);
        }
        return events;
    }
}
