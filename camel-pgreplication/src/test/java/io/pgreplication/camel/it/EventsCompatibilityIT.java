package io.pgreplication.camel.it;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The version-sensitive parts of messages, partitions and DDL handling. Tagged {@code compat}: runs on every major
 * version of the matrix (the pg-compat profile), PostgreSQL 13 included.
 */
@Tag("compat")
class EventsCompatibilityIT extends ReplicationITSupport {

    @Test
    void messagesArriveOn14AndNewerAndFailTheStartNamingOptionAndVersionBefore() throws Exception {
        String t = TestDatabase.uniqueName("cmsg");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        if (db.serverVersion() < 140000) {
            CamelContext context = unstarted(uri("tables=" + t + "&messages=true"));
            assertThatThrownBy(context::start).hasStackTraceContaining("option messages=true needs PostgreSQL 14")
                    .hasStackTraceContaining("this server is 13");
            return;
        }
        Received received = stream("tables=" + t + "&messages=true&batchTimeout=20");
        db.execute("SELECT pg_logical_emit_message(false, 'p', 'out')",
                "BEGIN; INSERT INTO " + t + " VALUES (1); SELECT pg_logical_emit_message(true, 'p', 'in'); COMMIT");
        await().until(() -> received.eventCount() == 3);
        List<ChangeEvent> messages = received.events().stream().filter(e -> e.getOp().equals("message")).toList();
        assertThat(messages).extracting(e -> new String(e.getContent(), StandardCharsets.UTF_8) + ":"
                                             + e.isTransactional())
                .containsExactly("out:false", "in:true");
        await().until(() -> lsnDiff(confirmed(), messages.get(1).getCommitLsn()) > 0);
    }

    @Test
    void partitionChangesArriveUnderTheRootAndDdlSwitchesTheShape() throws Exception {
        String root = TestDatabase.uniqueName("cpart");
        db.execute("CREATE TABLE " + root + " (id int, region text, PRIMARY KEY (id, region))"
                   + " PARTITION BY LIST (region)",
                "CREATE TABLE " + root + "_eu PARTITION OF " + root + " FOR VALUES IN ('eu')",
                "CREATE TABLE " + root + "_us PARTITION OF " + root + " FOR VALUES IN ('us')");
        Received received = stream("tables=public." + root + "&batchTimeout=20");
        db.execute("INSERT INTO " + root + " VALUES (1, 'eu'), (2, 'us')", "ALTER TABLE " + root + " ADD COLUMN v text",
                "INSERT INTO " + root + " VALUES (3, 'eu', 'x')", "DELETE FROM " + root + "_us WHERE id = 2");
        await().until(() -> received.eventCount() == 4);
        assertThat(received.events()).extracting(ChangeEvent::getTable).containsOnly(root);
        assertThat(received.events()).extracting(ChangeEvent::getOp)
                .containsExactly("insert", "insert", "insert", "delete");
        assertThat(received.events().get(2).getAfter()).isEqualTo(Map.of("id", 3, "region", "eu", "v", "x"));
        assertThat(received.events().get(3).getKey()).isEqualTo(Map.of("id", 2, "region", "us"));
    }
}
