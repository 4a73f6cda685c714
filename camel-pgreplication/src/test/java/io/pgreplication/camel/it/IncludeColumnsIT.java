package io.pgreplication.camel.it;

import java.util.List;
import java.util.Map;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** includeColumns: before/after hold only the listed columns, the key always travels in key. */
class IncludeColumnsIT extends ReplicationITSupport {

    @Test
    void onlyListedColumnsArriveAndTheUnlistedPrimaryKeyStillTravelsInKey() throws Exception {
        String t = TestDatabase.uniqueName("inc");
        String other = TestDatabase.uniqueName("incall");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, a text, b int, secret text)",
                "CREATE TABLE " + other + " (id int PRIMARY KEY, a text, b int)");
        Received received = stream("tables=" + t + "," + other + "&batchTimeout=20&includeColumns=public." + t
                                   + "(a,b)");

        db.execute("INSERT INTO " + t + " VALUES (1, 'x', 2, 'hidden')",
                "UPDATE " + t + " SET a = 'y', secret = 'still hidden' WHERE id = 1",
                "UPDATE " + t + " SET id = 5 WHERE id = 1",
                "DELETE FROM " + t + " WHERE id = 5",
                "INSERT INTO " + other + " VALUES (1, 'x', 2)");

        await().until(() -> received.eventCount() == 5);
        List<ChangeEvent> events = received.events().stream().filter(e -> e.getTable().equals(t)).toList();
        assertThat(events).extracting(ChangeEvent::getOp).containsExactly("insert", "update", "update", "delete");
        assertThat(events.get(0).getAfter()).isEqualTo(Map.of("a", "x", "b", 2));
        assertThat(events.get(0).getKey()).isEqualTo(Map.of("id", 1));
        assertThat(events.get(1).getAfter()).isEqualTo(Map.of("a", "y", "b", 2));
        // the key-changing update: the old key in key, before projected (the server sent only the old key)
        assertThat(events.get(2).getKey()).isEqualTo(Map.of("id", 1));
        assertThat(events.get(2).getBefore()).isEmpty();
        assertThat(events.get(2).getAfter()).isEqualTo(Map.of("a", "y", "b", 2));
        assertThat(events.get(3).getKey()).isEqualTo(Map.of("id", 5));
        assertThat(events.get(3).getAfter()).isNull();
        assertThat(received.json(t)).doesNotContain("secret").doesNotContain("hidden");

        // a table not listed keeps all its columns
        ChangeEvent unlisted = received.events().stream().filter(e -> e.getTable().equals(other)).findFirst()
                .orElseThrow();
        assertThat(unlisted.getAfter()).isEqualTo(Map.of("id", 1, "a", "x", "b", 2));

        // the Relation header describes what is delivered: the listed columns plus the key columns
        Received.Batch batch = received.batches().stream()
                .filter(b -> b.header(PgReplicationConstants.TABLE).equals("public." + t)).findFirst().orElseThrow();
        RelationMetadata relation = (RelationMetadata) batch.headers().get(PgReplicationConstants.RELATION);
        assertThat(relation.columns()).extracting(c -> c.name() + ":" + c.key())
                .containsExactly("id:true", "a:false", "b:false");
        assertThat(batch.headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of("id"));
    }

    @Test
    void underReplicaIdentityFullBeforeIsProjectedToo() throws Exception {
        String t = TestDatabase.uniqueName("incfull");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, a text, b int)",
                "ALTER TABLE " + t + " REPLICA IDENTITY FULL");
        Received received = new Received();
        start(new RouteBuilder() {
            public void configure() {
                // a Map bean works like the String form
                getContext().getRegistry().bind("cols", Map.of(t, List.of("id", "a")));
                from(uri("tables=" + t + "&batchTimeout=20&includeColumns=#cols")).process(received);
            }
        });
        awaitStreaming();
        db.execute("INSERT INTO " + t + " VALUES (1, 'x', 2)", "UPDATE " + t + " SET b = 3 WHERE id = 1",
                "DELETE FROM " + t + " WHERE id = 1");
        await().until(() -> received.eventCount() == 3);
        List<ChangeEvent> events = received.events();
        assertThat(events.get(1).getBefore()).isEqualTo(Map.of("id", 1, "a", "x"));
        assertThat(events.get(1).getAfter()).isEqualTo(Map.of("id", 1, "a", "x"));
        assertThat(events.get(2).getBefore()).isEqualTo(Map.of("id", 1, "a", "x"));
        assertThat(events.get(2).getKey()).isEqualTo(Map.of("id", 1));
    }

    @Test
    void anIncludedColumnThatDoesNotExistFailsTheStartNamingTableAndColumn() throws Exception {
        String t = TestDatabase.uniqueName("incbad");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, a text)");
        CamelContext context = unstarted(uri("tables=" + t + "&includeColumns=" + t + "(id,nope)"));
        assertThatThrownBy(context::start)
                .hasStackTraceContaining("includeColumns names column \"nope\" of table public." + t)
                .hasStackTraceContaining("Fix option includeColumns");
    }

    @Test
    void anIncludedTableThatDoesNotExistFailsTheStart() throws Exception {
        String t = TestDatabase.uniqueName("incok");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        CamelContext context = unstarted(uri("tables=" + t + "&includeColumns=public.no_such_table_x(id)"));
        assertThatThrownBy(context::start)
                .hasStackTraceContaining("includeColumns names table public.no_such_table_x, which does not exist");
    }
}
