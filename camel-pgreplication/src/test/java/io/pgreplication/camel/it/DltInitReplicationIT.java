package io.pgreplication.camel.it;

import java.util.List;
import java.util.Map;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ports of dlt's pg_replication init_replication tests: the same tables, steps
 * and expected rows, with the consumer's initial snapshot in place of dlt's persisted snapshot tables and the
 * management producer in place of init_replication.
 */
class DltInitReplicationIT extends ReplicationITSupport {

    private String x;
    private String y;
    private String z;

    private void createXandY() {
        x = TestDatabase.uniqueName("tbl_x");
        y = TestDatabase.uniqueName("tbl_y");
        db.execute("CREATE TABLE " + x + " (id_x bigint PRIMARY KEY, val_x text)",
                "CREATE TABLE " + y + " (id_y bigint PRIMARY KEY, val_y boolean)",
                "INSERT INTO " + x + " VALUES (1, 'foo')", "INSERT INTO " + y + " VALUES (1, true)");
    }

    /** dlt test_schema_replication: snapshot, changes, then a third table added by a second init_replication. */
    @Test
    void dltSchemaReplication() throws Exception {
        createXandY();
        Replica replica = new Replica();
        CamelContext first = startRoute("tables=" + x + "," + y + "&snapshotMode=initial", replica);
        await().until(() -> replica.table(x).size() == 1 && replica.table(y).size() == 1);
        assertThat(replica.table(x).values()).containsExactly(Map.of("id_x", 1L, "val_x", "foo"));
        assertThat(replica.table(y).values()).containsExactly(Map.of("id_y", 1L, "val_y", true));
        awaitStreaming();

        db.execute("INSERT INTO " + x + " VALUES (2, 'bar'), (3, 'baz')", "INSERT INTO " + y + " VALUES (2, false)");
        await().until(() -> replica.table(x).size() == 3 && replica.table(y).size() == 2);
        assertThat(replica.table(x)).isEqualTo(Replica.source(db, x, "id_x"));
        assertThat(replica.table(y)).isEqualTo(Replica.source(db, y, "id_y"));
        first.stop();

        z = TestDatabase.uniqueName("tbl_z");
        db.execute("CREATE TABLE " + z + " (id_z bigint PRIMARY KEY, val_z text)",
                "INSERT INTO " + z + " VALUES (1, 'initial')");
        // init_replication again with x, y, z: z joins the publication; the slot exists, so no snapshot.
        ProducerTemplate template = start(new RouteBuilder() {
            public void configure() {
            }
        }).createProducerTemplate();
        template.requestBody(uri("tables=" + x + "," + y + "," + z + "&operation=createPublication"), (Object) null);
        Received received = new Received();
        start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + x + "," + y + "," + z + "&snapshotMode=initial")).process(received)
                        .process(replica);
            }
        });
        awaitStreaming();
        db.execute("INSERT INTO " + z + " VALUES (2, 'bar'), (3, NULL)", "INSERT INTO " + z + " VALUES (4, 'bar'),"
                                                                          + " (5, NULL)");
        await().until(() -> replica.table(z).size() == 4);
        // Row 1 predates z's membership and is not captured, as in dlt.
        assertThat(replica.table(z).keySet()).containsExactlyInAnyOrder(Map.of("id_z", 2L), Map.of("id_z", 3L),
                Map.of("id_z", 4L), Map.of("id_z", 5L));
        assertThat(replica.table(x)).hasSize(3);
        assertThat(replica.table(y)).hasSize(2);
        assertThat(received.events()).noneMatch(e -> e.getOp().equals("snapshot"));
        assertThat(received.batches()).allSatisfy(b -> {
            if (b.header(PgReplicationConstants.TABLE).equals("public." + z)) {
                assertThat(b.headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of("id_z"));
            }
        });
        assertThat(replica.anomalies()).isEmpty();
    }

    /** dlt test_core_functionality: initial load, then inserts, updates and a delete, checked after each step. */
    @Test
    void dltCoreFunctionalityWithInitialLoad() throws Exception {
        createXandY();
        Replica replica = new Replica();
        startRoute("tables=" + x + "," + y + "&snapshotMode=initial", replica);
        await().until(() -> replica.table(x).size() == 1 && replica.table(y).size() == 1);
        awaitStreaming();

        db.execute("INSERT INTO " + x + " VALUES (2, 'bar'), (3, 'baz')", "INSERT INTO " + y + " VALUES (2, false)");
        awaitSame(replica, 3, 2);
        db.execute("INSERT INTO " + y + " VALUES (3, true)");
        awaitSame(replica, 3, 3);
        db.execute("UPDATE " + x + " SET val_x = 'foo_updated' WHERE id_x = 1",
                "UPDATE " + y + " SET val_y = false WHERE id_y = 1");
        await().until(() -> "foo_updated".equals(replica.table(x).get(Map.of("id_x", 1L)).get("val_x"))
                            && Boolean.FALSE.equals(replica.table(y).get(Map.of("id_y", 1L)).get("val_y")));
        awaitSame(replica, 3, 3);
        db.execute("DELETE FROM " + x + " WHERE id_x = 1");
        awaitSame(replica, 2, 3);
        assertThat(replica.table(x).values()).containsExactlyInAnyOrder(Map.of("id_x", 2L, "val_x", "bar"),
                Map.of("id_x", 3L, "val_x", "baz"));
        assertThat(replica.anomalies()).isEmpty();
    }

    private void awaitSame(Replica replica, int xRows, int yRows) throws Exception {
        await().until(() -> replica.table(x).size() == xRows && replica.table(y).size() == yRows
                            && replica.table(x).equals(Replica.source(db, x, "id_x"))
                            && replica.table(y).equals(Replica.source(db, y, "id_y")));
    }

    /**
     * dlt test_init_replication: the publication gains tables and never loses them; a snapshot is only possible when
     * the slot is made; without a table list the whole schema is published (PostgreSQL 15+, superuser). Tables have
     * no primary key as in dlt, so only inserts are published (this component refuses to publish UPDATE/DELETE of a
     * table without a replica identity, which would break the application's own writes).
     */
    @Test
    void dltInitReplicationAddsTablesAndNeverRemovesThem() throws Exception {
        String schema = TestDatabase.uniqueName("dlt");
        db.execute("CREATE SCHEMA " + schema);
        String[] t = new String[3];
        for (int i = 0; i < 3; i++) {
            t[i] = schema + ".tbl_" + (char) ('x' + i);
            db.execute("CREATE TABLE " + t[i] + " (id bigint, val text)", "INSERT INTO " + t[i] + " VALUES (1, 'a')");
        }
        CamelContext context = start(new RouteBuilder() {
            public void configure() {
            }
        });
        ProducerTemplate template = context.createProducerTemplate();
        String publishInsert = "&publish=insert&operation=createPublication";

        // (a) x with a snapshot: the rows of x come back, and the slot is made.
        template.requestBody(uri("tables=" + t[0] + publishInsert), (Object) null);
        Received snapshot = new Received();
        CamelContext snap = start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + t[0] + "&snapshotMode=initialOnly")).routeId("a").process(snapshot);
            }
        });
        await().until(() -> snapshot.eventCount() == 1 && db.queryString("SELECT count(*) FROM"
                + " pg_replication_slots WHERE slot_name = '" + slot + "' AND NOT active").equals("1"));
        assertThat(snapshot.events()).extracting(ChangeEvent::getTable).containsExactly("tbl_x");
        assertThat(members()).containsExactly("tbl_x");
        snap.stop();

        // (b) x and y, no snapshot: y joins.
        Map<?, ?> b = template.requestBody(uri("tables=" + t[0] + "," + t[1] + publishInsert), null, Map.class);
        assertThat(members()).containsExactly("tbl_x", "tbl_y");
        assertThat(b.get("tables")).isEqualTo(List.of(t[0], t[1]));
        // (c) x only: nothing is removed.
        template.requestBody(uri("tables=" + t[0] + publishInsert), (Object) null);
        assertThat(members()).containsExactly("tbl_x", "tbl_y");
        // (d) no table list: the whole schema (dlt's schema-level publication).
        template.requestBody(uri("tables=" + schema + ".*" + publishInsert), (Object) null);
        assertThat(members()).contains("tbl_x", "tbl_y", "tbl_z");
    }

    private List<String> members() {
        return db.queryColumn("SELECT tablename FROM pg_publication_tables WHERE pubname = '" + publication
                              + "' ORDER BY 1");
    }
}
