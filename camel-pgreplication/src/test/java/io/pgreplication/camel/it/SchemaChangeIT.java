package io.pgreplication.camel.it;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.ColumnMetadata;
import io.pgreplication.camel.event.RelationMetadata;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** DDL while streaming: later events use the new shape, the Relation header follows, batches never mix shapes. */
class SchemaChangeIT extends ReplicationITSupport {

    private Received streamTables(String tables) throws Exception {
        return stream("tables=" + tables + "&batchTimeout=20&statusInterval=100");
    }

    private static RelationMetadata relation(Received.Batch batch) {
        return (RelationMetadata) batch.headers().get(PgReplicationConstants.RELATION);
    }

    private static String shape(RelationMetadata r) {
        return r.columns().stream().map(c -> c.name() + ":" + c.typeName()).collect(Collectors.joining(","));
    }

    /** Every event of every batch has exactly the columns its batch's Relation header describes. */
    private static void assertNoBatchMixesShapes(Received received) {
        for (Received.Batch b : received.batches()) {
            List<String> columns = relation(b).columns().stream().map(ColumnMetadata::name).toList();
            for (ChangeEvent e : b.events()) {
                if (e.getAfter() != null) {
                    assertThat(e.getAfter().keySet()).as("event %s in a batch of shape %s", e, columns)
                            .containsExactlyElementsOf(columns);
                }
            }
        }
    }

    /** The Relation header shape of the batch holding the insert of {@code id}. */
    private static String shapeOf(Received received, int id) {
        return received.batches().stream()
                .filter(b -> b.events().stream().anyMatch(e -> e.getAfter() != null && id(e) == id))
                .map(b -> shape(relation(b))).findFirst().orElseThrow();
    }

    private static int id(ChangeEvent e) {
        return (Integer) e.getAfter().get("id");
    }

    @Test
    void addDropRenameAndRetypeAColumnWhileStreaming() throws Exception {
        String t = TestDatabase.uniqueName("ddl");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, a int)");
        Received received = streamTables(t);
        db.execute("INSERT INTO " + t + " VALUES (1, 1)",
                "ALTER TABLE " + t + " ADD COLUMN b text", "INSERT INTO " + t + " VALUES (2, 2, 'x')",
                "ALTER TABLE " + t + " DROP COLUMN a", "INSERT INTO " + t + " VALUES (3, 'y')",
                "ALTER TABLE " + t + " RENAME COLUMN b TO c", "INSERT INTO " + t + " VALUES (4, 'z')",
                "ALTER TABLE " + t + " ALTER COLUMN id TYPE bigint", "INSERT INTO " + t + " VALUES (5, 'w')",
                "UPDATE " + t + " SET c = 'v' WHERE id = 1");

        await().until(() -> received.eventCount() == 6);
        List<ChangeEvent> events = received.events();
        assertThat(events.get(0).getAfter()).isEqualTo(Map.of("id", 1, "a", 1));
        assertThat(events.get(1).getAfter()).isEqualTo(Map.of("id", 2, "a", 2, "b", "x"));
        assertThat(events.get(2).getAfter()).isEqualTo(Map.of("id", 3, "b", "y"));
        assertThat(events.get(3).getAfter()).isEqualTo(Map.of("id", 4, "c", "z"));
        assertThat(events.get(4).getAfter()).isEqualTo(Map.of("id", 5L, "c", "w"));
        assertThat(events.get(5).getAfter()).isEqualTo(Map.of("id", 1L, "c", "v"));
        assertThat(events.get(5).getKey()).isEqualTo(Map.of("id", 1L));

        List<String> shapes = received.batches().stream().map(b -> shape(relation(b))).distinct().toList();
        assertThat(shapes).containsExactly("id:integer,a:integer", "id:integer,a:integer,b:text",
                "id:integer,b:text", "id:integer,c:text", "id:bigint,c:text");
        assertNoBatchMixesShapes(received);
        await().until(() -> lsnDiff(confirmed(), events.get(5).getCommitLsn()) > 0);
    }

    @Test
    void oneTransactionChangingRowsAlteringTheTableAndChangingRowsAgainSplitsBatchesAtTheShapeChange()
            throws Exception {
        String t = TestDatabase.uniqueName("ddltx");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, a int)");
        Received received = streamTables(t);
        db.execute("BEGIN; INSERT INTO " + t + " VALUES (1, 1), (2, 2); ALTER TABLE " + t
                   + " ADD COLUMN b text DEFAULT 'd'; INSERT INTO " + t + " VALUES (3, 3, 'x');"
                   + " UPDATE " + t + " SET b = 'u' WHERE id = 1; COMMIT");

        await().until(() -> received.eventCount() == 4);
        List<ChangeEvent> events = received.events();
        assertThat(events).extracting(ChangeEvent::getOp).containsExactly("insert", "insert", "insert", "update");
        assertThat(events.get(1).getAfter()).isEqualTo(Map.of("id", 2, "a", 2));
        assertThat(events.get(2).getAfter()).isEqualTo(Map.of("id", 3, "a", 3, "b", "x"));
        assertThat(events.get(3).getAfter()).isEqualTo(Map.of("id", 1, "a", 1, "b", "u"));
        assertThat(events).extracting(ChangeEvent::getCommitLsn).containsOnly(events.get(0).getCommitLsn());
        assertThat(received.batches()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(shapeOf(received, 2)).isEqualTo("id:integer,a:integer");
        assertThat(shapeOf(received, 3)).isEqualTo("id:integer,a:integer,b:text");
        assertNoBatchMixesShapes(received);
        await().until(() -> lsnDiff(confirmed(), events.get(0).getCommitLsn()) > 0);
    }

    @Test
    void aTableCreatedLaterInAWholeSchemaPublicationIsStreamedAndFollowsItsDdl() throws Exception {
        Assumptions.assumeTrue(db.serverVersion() >= 150000, "FOR TABLES IN SCHEMA needs PostgreSQL 15");
        String schema = TestDatabase.uniqueName("ddls");
        db.execute("CREATE SCHEMA " + schema, "CREATE TABLE " + schema + ".first (id int PRIMARY KEY)");
        Received received = streamTables(schema + ".*");
        db.execute("INSERT INTO " + schema + ".first VALUES (1)",
                "CREATE TABLE " + schema + ".later (id int PRIMARY KEY)", "INSERT INTO " + schema + ".later VALUES (2)",
                "ALTER TABLE " + schema + ".later ADD COLUMN v text",
                "INSERT INTO " + schema + ".later VALUES (3, 'x')");
        await().until(() -> received.eventCount() == 3);
        assertThat(received.events().stream().filter(e -> e.getTable().equals("later")))
                .extracting(ChangeEvent::getAfter)
                .containsExactly(Map.of("id", 2), Map.of("id", 3, "v", "x"));
        assertThat(shapeOf(received, 3)).isEqualTo("id:integer,v:text");
        assertNoBatchMixesShapes(received);
    }

    @Test
    void changesToPartitionsArriveUnderThePartitionedRootTable() throws Exception {
        String root = TestDatabase.uniqueName("part");
        db.execute("CREATE TABLE " + root + " (id int, region text, v text, PRIMARY KEY (id, region))"
                   + " PARTITION BY LIST (region)",
                "CREATE TABLE " + root + "_eu PARTITION OF " + root + " FOR VALUES IN ('eu')",
                "CREATE TABLE " + root + "_us PARTITION OF " + root + " FOR VALUES IN ('us')");
        Received received = streamTables("public." + root);
        assertThat(db.queryString("SELECT pubviaroot FROM pg_publication WHERE pubname = '" + publication + "'"))
                .isEqualTo("t");
        db.execute("INSERT INTO " + root + " VALUES (1, 'eu', 'a'), (2, 'us', 'b')",
                "UPDATE " + root + "_eu SET v = 'a2' WHERE id = 1",
                "DELETE FROM " + root + " WHERE id = 2");
        await().until(() -> received.eventCount() == 4);
        List<ChangeEvent> events = received.events();
        assertThat(events).extracting(ChangeEvent::getTable).containsOnly(root);
        assertThat(events).extracting(ChangeEvent::getOp).containsExactly("insert", "insert", "update", "delete");
        assertThat(events.get(2).getAfter()).isEqualTo(Map.of("id", 1, "region", "eu", "v", "a2"));
        assertThat(events.get(3).getKey()).isEqualTo(Map.of("id", 2, "region", "us"));
        assertThat(received.batches()).allSatisfy(b ->
                assertThat(b.header(PgReplicationConstants.TABLE)).isEqualTo("public." + root));
    }
}
