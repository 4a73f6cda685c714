package io.pgreplication.camel.it;

import java.util.List;
import java.util.Map;

import io.pgreplication.camel.event.ChangeEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** One truncate event per truncated table, with cascade and restartIdentity flags. */
class TruncateIT extends ReplicationITSupport {

    private Received streamTables(String tables) throws Exception {
        return stream("tables=" + tables + "&batchTimeout=20");
    }

    private static List<ChangeEvent> truncates(Received received) {
        return received.events().stream().filter(e -> e.getOp().equals("truncate")).toList();
    }

    @Test
    void oneStatementTruncatingTwoTablesGivesOneEventPerTableInOneTransaction() throws Exception {
        String a = TestDatabase.uniqueName("tra");
        String b = TestDatabase.uniqueName("trb");
        db.execute("CREATE TABLE " + a + " (id int PRIMARY KEY)", "CREATE TABLE " + b + " (id int PRIMARY KEY)");
        Received received = streamTables(a + "," + b);
        db.execute("INSERT INTO " + a + " VALUES (1)", "INSERT INTO " + b + " VALUES (1)", "TRUNCATE " + a + ", " + b);

        await().until(() -> truncates(received).size() == 2);
        List<ChangeEvent> events = truncates(received);
        assertThat(events).extracting(ChangeEvent::getTable).containsExactlyInAnyOrder(a, b);
        assertThat(events.get(0).getCommitLsn()).isEqualTo(events.get(1).getCommitLsn());
        assertThat(events.get(0).getXid()).isEqualTo(events.get(1).getXid());
        assertThat(events).allSatisfy(e -> {
            assertThat(e.isCascade()).isFalse();
            assertThat(e.isRestartIdentity()).isFalse();
            assertThat(e.getAfter()).isNull();
            assertThat(e.getBefore()).isNull();
            assertThat(e.getKey()).isEqualTo(Map.of());
        });
        assertThat(received.json(a)).contains("\"op\":\"truncate\"")
                .contains("\"after\":null,\"cascade\":false,\"restartIdentity\":false}");
    }

    @Test
    void truncateCascadeReportsTheReferencingTableWithTheCascadeFlag() throws Exception {
        String parent = TestDatabase.uniqueName("trp");
        String child = TestDatabase.uniqueName("trc");
        db.execute("CREATE TABLE " + parent + " (id int PRIMARY KEY)",
                "CREATE TABLE " + child + " (id int PRIMARY KEY, parent int REFERENCES " + parent + ")");
        Received received = streamTables(parent + "," + child);
        db.execute("INSERT INTO " + parent + " VALUES (1)", "INSERT INTO " + child + " VALUES (1, 1)",
                "TRUNCATE " + parent + " CASCADE");
        await().until(() -> truncates(received).size() == 2);
        assertThat(truncates(received)).extracting(ChangeEvent::getTable).containsExactlyInAnyOrder(parent, child);
        assertThat(truncates(received)).allSatisfy(e -> assertThat(e.isCascade()).isTrue())
                .allSatisfy(e -> assertThat(e.isRestartIdentity()).isFalse());
        assertThat(received.json(child)).contains("\"cascade\":true,\"restartIdentity\":false");
    }

    @Test
    void truncateRestartIdentityKeepsItsPlaceBetweenTheTablesChanges() throws Exception {
        String t = TestDatabase.uniqueName("tri");
        db.execute("CREATE TABLE " + t + " (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)");
        Received received = streamTables(t);
        db.execute("BEGIN; INSERT INTO " + t + " (v) VALUES ('a'); TRUNCATE " + t + " RESTART IDENTITY;"
                   + " INSERT INTO " + t + " (v) VALUES ('b'); COMMIT");
        await().until(() -> received.eventCount() == 3);
        List<ChangeEvent> events = received.events();
        assertThat(events).extracting(ChangeEvent::getOp).containsExactly("insert", "truncate", "insert");
        assertThat(events.get(1).isRestartIdentity()).isTrue();
        assertThat(events.get(1).isCascade()).isFalse();
        // the identity restarted: the insert after the truncate got id 1 again
        assertThat(events.get(2).getAfter()).isEqualTo(Map.of("id", 1, "v", "b"));
        assertThat(received.json(t)).contains("\"cascade\":false,\"restartIdentity\":true");
    }
}
