package io.pgreplication.camel.it;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StreamingIT extends ReplicationITSupport {

    @Test
    void insertsUpdatesAndDeletesOfTwoTablesArriveWithValuesHeadersAndOrder() throws Exception {
        String orders = TestDatabase.uniqueName("orders");
        String items = TestDatabase.uniqueName("items");
        db.execute("CREATE TABLE " + orders + " (id int PRIMARY KEY, status text, total numeric(10,2))",
                "CREATE TABLE " + items + " (order_id int, line int, qty bigint, PRIMARY KEY (order_id, line))");
        Received received = stream("tables=" + orders + "," + items + "&batchTimeout=50");

        db.execute("BEGIN; INSERT INTO " + orders + " VALUES (1, 'new', 10.50); INSERT INTO " + items
                   + " VALUES (1, 1, 3); COMMIT",
                "UPDATE " + orders + " SET status = 'paid' WHERE id = 1",
                "UPDATE " + items + " SET order_id = 2 WHERE order_id = 1",
                "DELETE FROM " + orders + " WHERE id = 1");

        await().until(() -> received.eventCount() == 5);
        List<ChangeEvent> orderEvents = received.events().stream().filter(e -> e.getTable().equals(orders)).toList();
        List<ChangeEvent> itemEvents = received.events().stream().filter(e -> e.getTable().equals(items)).toList();

        assertThat(orderEvents).extracting(ChangeEvent::getOp).containsExactly("insert", "update", "delete");
        ChangeEvent insert = orderEvents.get(0);
        assertThat(insert.getSchema()).isEqualTo("public");
        assertThat(insert.getAfter()).isEqualTo(Map.of("id", 1, "status", "new", "total", new BigDecimal("10.50")));
        assertThat(insert.getKey()).isEqualTo(Map.of("id", 1));
        assertThat(insert.getBefore()).isNull();
        ChangeEvent update = orderEvents.get(1);
        assertThat(update.getAfter()).containsEntry("status", "paid");
        assertThat(update.getBefore()).isNull();
        ChangeEvent delete = orderEvents.get(2);
        assertThat(delete.getAfter()).isNull();
        assertThat(delete.getKey()).isEqualTo(Map.of("id", 1));
        assertThat(delete.getBefore()).isEqualTo(Map.of("id", 1));

        // A key-changing update carries the old key, so a sink can remove the old row.
        ChangeEvent keyChange = itemEvents.get(1);
        assertThat(keyChange.getOp()).isEqualTo("update");
        assertThat(keyChange.getKey()).isEqualTo(Map.of("order_id", 1, "line", 1));
        assertThat(keyChange.getBefore()).isEqualTo(Map.of("order_id", 1, "line", 1));
        assertThat(keyChange.getAfter()).isEqualTo(Map.of("order_id", 2, "line", 1, "qty", 3L));

        // Both inserts share a transaction: same xid and commitLsn; later transactions have larger commit LSNs.
        assertThat(itemEvents.get(0).getXid()).isEqualTo(insert.getXid());
        assertThat(itemEvents.get(0).getCommitLsn()).isEqualTo(insert.getCommitLsn());
        assertThat(lsnDiff(update.getCommitLsn(), insert.getCommitLsn())).isPositive();
        assertThat(lsnDiff(delete.getCommitLsn(), keyChange.getCommitLsn())).isPositive();

        Received.Batch first = received.batches().stream()
                .filter(b -> b.header(PgReplicationConstants.TABLE).equals("public." + orders)).findFirst()
                .orElseThrow();
        assertThat(first.header(PgReplicationConstants.SLOT)).isEqualTo(slot);
        assertThat(first.header(PgReplicationConstants.PUBLICATION)).isEqualTo(publication);
        assertThat(first.headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of("id"));
        assertThat(first.headers().get(PgReplicationConstants.SNAPSHOT)).isEqualTo(false);
        ChangeEvent last = first.events().get(first.events().size() - 1);
        assertThat(first.header(PgReplicationConstants.LSN)).isEqualTo(last.getLsn());
        assertThat(first.header(PgReplicationConstants.COMMIT_LSN)).isEqualTo(last.getCommitLsn());
        RelationMetadata relation = (RelationMetadata) first.headers().get(PgReplicationConstants.RELATION);
        assertThat(relation.columns()).extracting(c -> c.name() + ":" + c.typeName() + ":" + c.key())
                .containsExactly("id:integer:true", "status:text:false", "total:numeric:false");
        assertThat(first.json()).startsWith("[{\"op\":\"insert\",\"schema\":\"public\",\"table\":\"" + orders
                                            + "\",\"lsn\":\"" + insert.getLsn() + "\",\"commitLsn\":\""
                                            + insert.getCommitLsn() + "\",\"xid\":" + insert.getXid()
                                            + ",\"commitTime\":\"" + insert.getCommitTime()
                                            + "\",\"key\":{\"id\":1},\"before\":null,"
                                            + "\"after\":{\"id\":1,\"status\":\"new\",\"total\":10.50}}");
    }

    @Test
    void aTenThousandRowTransactionArrivesCompleteInBatchesNoLargerThanBatchSize() throws Exception {
        String table = TestDatabase.uniqueName("big");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, payload text)");
        Received received = stream("tables=" + table + "&batchSize=700");

        db.execute("INSERT INTO " + table + " SELECT g, md5(g::text) FROM generate_series(1, 10000) g");

        await().until(() -> received.eventCount() == 10_000);
        assertThat(received.batches()).allSatisfy(b -> assertThat(b.events()).hasSizeLessThanOrEqualTo(700));
        assertThat(received.batches()).hasSizeGreaterThanOrEqualTo(15);
        assertThat(received.events()).extracting(e -> (Integer) e.getAfter().get("id"))
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 10_000).boxed().toList());
    }

    @Test
    void tablesFiltersWhatIsDeliveredAndSchemaStarPicksUpATableCreatedLater() throws Exception {
        String schema = TestDatabase.uniqueName("shop");
        String other = TestDatabase.uniqueName("other");
        db.execute("CREATE SCHEMA " + schema, "CREATE TABLE " + schema + ".a (id int PRIMARY KEY)",
                "CREATE TABLE " + other + " (id int PRIMARY KEY)",
                // the publication already streams 'other' too; only tables= decides what is delivered
                "CREATE PUBLICATION " + publication + " FOR TABLE " + other);
        Received received = new Received();
        String tables = db.serverVersion() >= 150000 ? schema + ".*" : schema + ".a";
        startRoute("tables=" + tables, received);
        awaitStreaming();

        db.execute("INSERT INTO " + schema + ".a VALUES (1)", "INSERT INTO " + other + " VALUES (1)");
        if (db.serverVersion() >= 150000) {
            db.execute("CREATE TABLE " + schema + ".b (id int PRIMARY KEY)", "INSERT INTO " + schema + ".b VALUES (2)");
        }
        db.execute("INSERT INTO " + schema + ".a VALUES (3)");

        await().until(() -> received.events().stream().anyMatch(e -> e.getAfter().get("id").equals(3)));
        List<String> delivered = received.events().stream().map(e -> e.getTable() + ":" + e.getAfter().get("id"))
                .toList();
        // Batches are per table: order holds within a table, not across tables.
        assertThat(delivered.stream().filter(d -> d.startsWith("a:"))).containsExactly("a:1", "a:3");
        if (db.serverVersion() >= 150000) {
            await().until(() -> received.eventCount() == 3);
            assertThat(received.events().stream().map(e -> e.getTable() + ":" + e.getAfter().get("id")))
                    .containsExactlyInAnyOrder("a:1", "b:2", "a:3");
        } else {
            assertThat(delivered).hasSize(2);
        }
    }

    @Test
    void aCaughtUpConsumerWithIdleRoutesDoesNotWaitForBatchTimeout() throws Exception {
        String t = TestDatabase.uniqueName("prompt");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        Received received = stream("tables=" + t + "&batchTimeout=10m");
        db.execute("INSERT INTO " + t + " VALUES (1)", "INSERT INTO " + t + " VALUES (2)");
        // With batchTimeout=10m a partial batch would wait ten minutes; caught up and idle, it goes out at once.
        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> received.eventCount() == 2);
    }
}
