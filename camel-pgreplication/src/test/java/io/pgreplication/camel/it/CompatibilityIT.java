package io.pgreplication.camel.it;

import java.util.List;
import java.util.Map;

import io.pgreplication.camel.PgReplicationConsumer;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.Operation;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compatibility subset: what differs between PostgreSQL versions. Tagged {@code compat}, so besides the full
 * suite it runs on every major version of the matrix (see the pg-compat profile in the pom).
 */
@Tag("compat")
class CompatibilityIT extends ReplicationITSupport {

    @Test
    void negotiatesTheNewestProtocolTheServerSpeaksAndStreamsEveryOperation() throws Exception {
        String t = TestDatabase.uniqueName("compat");
        String t2 = t + "_b";
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, v text)", "CREATE TABLE " + t2 + " (id int PRIMARY KEY)");
        Received received = new Received();
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("tables=" + t + "," + t2 + "&batchTimeout=20")).routeId("r").process(received);
            }
        });
        awaitStreaming();
        db.execute("INSERT INTO " + t + " VALUES (1, 'a'), (2, 'b')", "INSERT INTO " + t2 + " VALUES (7)",
                "UPDATE " + t + " SET v = 'c' WHERE id = 1", "UPDATE " + t + " SET id = 3 WHERE id = 2",
                "DELETE FROM " + t + " WHERE id = 1", "TRUNCATE " + t + ", " + t2 + " RESTART IDENTITY CASCADE");
        await().until(() -> received.eventCount() >= 8);

        int version = db.serverVersion();
        PgReplicationConsumer consumer = (PgReplicationConsumer) context.getRoute("r").getConsumer();
        int expected = version >= 160000 ? 4 : version >= 150000 ? 3 : version >= 140000 ? 2 : 1;
        assertThat(consumer.getProtocolVersion()).as("proto_version on server %d", version).isEqualTo(expected);

        // Batches are per table: order is guaranteed within a table, not across tables.
        List<ChangeEvent> events = received.events().stream().filter(e -> e.getTable().equals(t)).toList();
        assertThat(events).extracting(ChangeEvent::getOperation).containsExactly(Operation.INSERT, Operation.INSERT,
                Operation.UPDATE, Operation.UPDATE, Operation.DELETE, Operation.TRUNCATE);
        assertThat(events.get(3).getKey()).isEqualTo(Map.of("id", 2));
        assertThat(events.get(3).getAfter()).containsEntry("id", 3).containsEntry("v", "b");
        assertThat(events.get(4).getKey()).isEqualTo(Map.of("id", 1));
        ChangeEvent truncate = events.get(5);
        assertThat(truncate.isCascade()).isTrue();
        assertThat(truncate.isRestartIdentity()).isTrue();
        assertThat(received.events().stream().filter(e -> e.getTable().equals(t2)))
                .extracting(ChangeEvent::getOperation).containsExactly(Operation.INSERT, Operation.TRUNCATE);
    }
}
