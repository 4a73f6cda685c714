package io.pgreplication.camel.it;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeRows;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** outputFormat=rows (dlt parity): one map per change plus lsn and, on deletes, deleted_ts. */
class RowsFormatIT extends ReplicationITSupport {

    private static final String FAST = "statusInterval=100&batchTimeout=20";

    /** What a rows route received: the maps, the JSON bodies and the table header of every exchange. */
    static final class Rows {
        final List<Map<String, Object>> rows = new CopyOnWriteArrayList<>();
        final List<String> json = new CopyOnWriteArrayList<>();
        final List<String> tables = new CopyOnWriteArrayList<>();

        @SuppressWarnings("unchecked")
        void add(org.apache.camel.Exchange e) {
            assertThat(e.getIn().getBody()).isInstanceOf(ChangeRows.class);
            rows.addAll(e.getIn().getBody(List.class));
            json.add(e.getIn().getBody(String.class));
            tables.add(e.getIn().getHeader(PgReplicationConstants.TABLE, String.class));
        }
    }

    @Test
    void insertsUpdatesAndDeletesBecomeRowsWithLsnAndDeletedTs() throws Exception {
        String t = TestDatabase.uniqueName("rows");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, val text, at timestamptz)");
        Rows got = new Rows();
        startRoute("tables=" + t + "&outputFormat=rows&" + FAST, got::add);
        awaitStreaming();
        db.execute("INSERT INTO " + t + " VALUES (1, 'a', '2024-01-02 03:04:05+00'), (2, 'b', null)",
                "UPDATE " + t + " SET val = 'a2' WHERE id = 1", "DELETE FROM " + t + " WHERE id = 2");
        await().until(() -> got.rows.size() == 4);

        assertThat(got.rows).extracting(r -> r.get("id") + ":" + r.get("val"))
                .containsExactly("1:a", "2:b", "1:a2", "2:null");
        Map<String, Object> insert = got.rows.get(0);
        assertThat(insert).containsOnlyKeys("id", "val", "at", "lsn");
        assertThat(insert.get("lsn")).isInstanceOf(Long.class);
        assertThat(insert.get("at")).isEqualTo(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC));
        assertThat((Long) got.rows.get(2).get("lsn")).isGreaterThan((Long) got.rows.get(1).get("lsn"));
        // a delete is its old key (DEFAULT identity) plus lsn and the commit time
        Map<String, Object> delete = got.rows.get(3);
        assertThat(delete).containsOnlyKeys("id", "lsn", "deleted_ts");
        assertThat(delete.get("deleted_ts")).isInstanceOf(OffsetDateTime.class);
        assertThat(((OffsetDateTime) delete.get("deleted_ts")).getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(got.rows.get(0)).doesNotContainKey("deleted_ts");

        List<JsonNode> json = new ArrayList<>();
        for (String body : got.json) {
            new ObjectMapper().readTree(body).forEach(json::add);
        }
        assertThat(json.get(0).get("at").asText()).isEqualTo("2024-01-02T03:04:05Z");
        assertThat(json.get(0).get("lsn").isIntegralNumber()).isTrue();
        assertThat(json.get(0).get("lsn").asLong()).isEqualTo(insert.get("lsn"));
        // ISO-8601 in UTC; the formatter drops trailing zeros of the fraction, which toString() keeps in threes.
        assertThat(json.get(3).get("deleted_ts").asText()).endsWith("Z");
        assertThat(OffsetDateTime.parse(json.get(3).get("deleted_ts").asText()))
                .isEqualTo((OffsetDateTime) delete.get("deleted_ts"));
        assertThat(got.json.get(0)).startsWith("[{\"id\":1,\"val\":\"a\",\"at\":\"2024-01-02T03:04:05Z\",\"lsn\":");
    }

    @Test
    void truncatesAreNotRowsButAreConfirmedAndMessagesAreRows() throws Exception {
        String t = TestDatabase.uniqueName("rowst");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        Rows got = new Rows();
        startRoute("tables=" + t + "&outputFormat=rows&messages=true&" + FAST, got::add);
        awaitStreaming();
        db.execute("INSERT INTO " + t + " VALUES (1)");
        await().until(() -> got.rows.size() == 1);
        db.execute("TRUNCATE " + t);
        String afterTruncate = db.queryString("SELECT pg_current_wal_lsn()::text");
        // a truncate-only batch sends no exchange, yet the slot moves past it
        await().until(() -> lsnDiff(confirmed(), afterTruncate) >= 0);
        db.execute("SELECT pg_logical_emit_message(false, 'p', 'hi')", "INSERT INTO " + t + " VALUES (2)");
        await().until(() -> got.rows.size() == 3);
        assertThat(got.rows).noneMatch(r -> r.containsValue("truncate"));
        Map<String, Object> message = got.rows.stream().filter(r -> r.containsKey("prefix")).findFirst().orElseThrow();
        assertThat(message).containsOnlyKeys("prefix", "content", "transactional", "lsn");
        assertThat((byte[]) message.get("content")).asString().isEqualTo("hi");
        assertThat(new ArrayList<>(got.tables)).contains("messages", "public." + t);
        assertThat(String.join("", got.json)).contains("\"prefix\":\"p\",\"content\":\"aGk=\",\"transactional\":false");
    }
}
