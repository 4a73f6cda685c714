package io.pgreplication.camel.it;

import java.util.ArrayList;
import java.util.List;

import io.pgreplication.camel.PgReplicationConstants;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Online backfill on every major version of the matrix (the pg-compat profile): on 14 and newer a requested backfill
 * and one of a table added with snapshotMode=initial arrive and reproduce the tables, and user messages stay
 * undelivered with messages=false although the stream now carries them; on 13, which cannot carry the request, the
 * producer and the consumer refuse naming the reason.
 */
@Tag("compat")
class BackfillCompatIT extends ReplicationITSupport {

    private final List<String> tables = new ArrayList<>();

    @AfterEach
    void dropTables() {
        tables.forEach(t -> db.execute("DROP TABLE IF EXISTS " + t));
    }

    @Test
    void backfillsRunOn14AndNewerAndAreRefusedOn13NamingTheReason() throws Exception {
        String a = table("cbfa", 10);
        String b = table("cbfb", 3_000);
        String c = table("cbfc", 50);
        if (db.serverVersion() < 140000) {
            startRoute("tables=" + a, new Received()).stop();
            Exchange reply = backfill(a);
            assertThat(reply.getException()).hasMessageContaining("operation=backfill needs PostgreSQL 14")
                    .hasMessageContaining("13");
            CamelContext added = unstarted(uri("tables=" + a + "," + b + "&snapshotMode=initial"));
            org.assertj.core.api.Assertions.assertThatThrownBy(added::start)
                    .hasStackTraceContaining("backfills the tables added to it [public." + b + "]")
                    .hasStackTraceContaining("needs PostgreSQL 14").hasStackTraceContaining("snapshotMode=never");
            assertThat(db.queryColumn("SELECT tablename FROM pg_publication_tables WHERE pubname = '" + publication
                                      + "'")).as("nothing added without its rows").doesNotContain(b);
            return;
        }
        Replica replica = new Replica();
        Received received = new Received();
        CamelContext first = startRoute("tables=" + a + "," + b + "&statusInterval=1s", e -> {
            received.process(e);
            replica.process(e);
        });
        awaitStreaming();
        db.execute("UPDATE " + b + " SET version = 1 WHERE id <= 100",
                "SELECT pg_logical_emit_message(true, 'audit', 'not for this route')");
        Exchange reply = backfill(b);
        assertThat(reply.getException()).isNull();
        String id = reply.getMessage().getHeader(PgReplicationConstants.BACKFILL, String.class);
        db.execute("DELETE FROM " + b + " WHERE id > 2900"); // before or after the snapshot's point: either way right
        var source = Replica.source(db, b, "id");
        await().until(() -> replica.backfillOf(b) != null && source.equals(replica.table(b)));
        assertThat(replica.backfillOf(b)).startsWith(id + "@");
        assertThat(received.events()).noneMatch(e -> "message".equals(e.getOp()));
        first.stop();

        Replica second = new Replica();
        startRoute("tables=" + a + "," + b + "," + c + "&snapshotMode=initial", second);
        await().until(() -> second.backfillRows(c) == 50);
        assertThat(Replica.differences(Replica.source(db, c, "id"), second.table(c))).isEmpty();
    }

    private String table(String prefix, int rows) {
        String t = TestDatabase.uniqueName(prefix);
        tables.add(t);
        RowWriter.createTable(db, t, rows);
        return t;
    }

    private Exchange backfill(String table) throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            return context.createProducerTemplate().request(uri("operation=backfill&tables=" + table), e -> {
            });
        }
    }
}
