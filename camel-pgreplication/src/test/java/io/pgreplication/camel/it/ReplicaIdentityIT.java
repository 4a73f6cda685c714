package io.pgreplication.camel.it;

import java.util.List;
import java.util.Map;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The key and before under each REPLICA IDENTITY: key on every event (the old key on deletes and key-changing
 * updates), before only what the server sent.
 */
class ReplicaIdentityIT extends ReplicationITSupport {

    private String table;

    /**
     * Creates the table (then runs {@code setup}), streams it, runs an insert, a plain update, an update changing
     * {@code keyColumn} and a delete.
     */
    private Received run(String columns, String setup, String extra, String keyColumn) throws Exception {
        table = TestDatabase.uniqueName("ri");
        db.execute("CREATE TABLE " + table + " (" + columns + ")");
        if (setup != null) {
            db.execute(setup.replace("$t", table));
        }
        Received received = stream("tables=" + table + "&batchTimeout=20" + extra);
        db.execute("INSERT INTO " + table + " VALUES (1, 10, 'a')",
                "UPDATE " + table + " SET v = 'b' WHERE id = 1",
                "UPDATE " + table + " SET " + keyColumn + " = " + keyColumn + " + 1",
                "DELETE FROM " + table);
        return received;
    }

    private static Map<String, Object> row(int id, int code, String v) {
        return Map.of("id", id, "code", code, "v", v);
    }

    @Test
    void defaultWithPrimaryKeySendsTheOldKeyOnlyForKeyChangesAndDeletes() throws Exception {
        Received r = run("id int PRIMARY KEY, code int, v text", null, "", "id");
        await().until(() -> r.eventCount() == 4);
        List<ChangeEvent> e = r.events();
        assertThat(e).extracting(ChangeEvent::getOp).containsExactly("insert", "update", "update", "delete");
        assertThat(e).extracting(ChangeEvent::getKey)
                .containsExactly(Map.of("id", 1), Map.of("id", 1), Map.of("id", 1), Map.of("id", 2));
        assertThat(e.get(1).getBefore()).isNull();
        assertThat(e.get(2).getBefore()).isEqualTo(Map.of("id", 1));
        assertThat(e.get(2).getAfter()).isEqualTo(row(2, 10, "b"));
        assertThat(e.get(3).getBefore()).isEqualTo(Map.of("id", 2));
        assertThat(r.batches().get(0).headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of("id"));
    }

    @Test
    void usingIndexKeysOnTheIndexColumns() throws Exception {
        Received r = run("id int NOT NULL, code int NOT NULL, v text", "CREATE UNIQUE INDEX $t_code ON $t (code);"
                         + " ALTER TABLE $t REPLICA IDENTITY USING INDEX $t_code", "", "code");
        await().until(() -> r.eventCount() == 4);
        List<ChangeEvent> e = r.events();
        assertThat(e).extracting(ChangeEvent::getKey)
                .containsExactly(Map.of("code", 10), Map.of("code", 10), Map.of("code", 10), Map.of("code", 11));
        assertThat(e.get(1).getBefore()).isNull();
        assertThat(e.get(2).getBefore()).isEqualTo(Map.of("code", 10));
        assertThat(e.get(2).getAfter()).isEqualTo(row(1, 11, "b"));
        assertThat(e.get(3).getBefore()).isEqualTo(Map.of("code", 11));
        assertThat(r.batches().get(0).headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of("code"));
    }

    @Test
    void fullWithPrimaryKeyKeysOnThePrimaryKeyAndSendsTheWholeOldRow() throws Exception {
        Received r = run("id int PRIMARY KEY, code int, v text", "ALTER TABLE $t REPLICA IDENTITY FULL", "", "id");
        await().until(() -> r.eventCount() == 4);
        List<ChangeEvent> e = r.events();
        assertThat(e).extracting(ChangeEvent::getKey)
                .containsExactly(Map.of("id", 1), Map.of("id", 1), Map.of("id", 1), Map.of("id", 2));
        assertThat(e.get(0).getBefore()).isNull();
        assertThat(e.get(1).getBefore()).isEqualTo(row(1, 10, "a"));
        assertThat(e.get(2).getBefore()).isEqualTo(row(1, 10, "b"));
        assertThat(e.get(2).getAfter()).isEqualTo(row(2, 10, "b"));
        assertThat(e.get(3).getBefore()).isEqualTo(row(2, 10, "b"));
        assertThat(r.batches().get(0).headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of("id"));
    }

    @Test
    void fullWithoutPrimaryKeyKeysOnEveryColumn() throws Exception {
        Received r = run("id int, code int, v text", "ALTER TABLE $t REPLICA IDENTITY FULL", "", "id");
        await().until(() -> r.eventCount() == 4);
        List<ChangeEvent> e = r.events();
        assertThat(e).extracting(ChangeEvent::getKey)
                .containsExactly(row(1, 10, "a"), row(1, 10, "a"), row(1, 10, "b"), row(2, 10, "b"));
        assertThat(e.get(2).getBefore()).isEqualTo(row(1, 10, "b"));
        assertThat(e.get(3).getBefore()).isEqualTo(row(2, 10, "b"));
        assertThat(r.batches().get(0).headers().get(PgReplicationConstants.KEY_COLUMNS))
                .isEqualTo(List.of("id", "code", "v"));
    }

    @Test
    void nothingOnAnInsertOnlyPublicationDeliversInsertsKeyedOnThePrimaryKeyWhenThereIsOne() throws Exception {
        Received r = run("id int PRIMARY KEY, code int, v text", "ALTER TABLE $t REPLICA IDENTITY NOTHING",
                "&publish=insert", "id");
        db.execute("INSERT INTO " + table + " VALUES (5, 50, 'z')");
        await().until(() -> r.eventCount() == 2);
        List<ChangeEvent> e = r.events();
        assertThat(e).extracting(ChangeEvent::getOp).containsExactly("insert", "insert");
        assertThat(e).extracting(ChangeEvent::getKey).containsExactly(Map.of("id", 1), Map.of("id", 5));
        assertThat(e).allSatisfy(c -> assertThat(c.getBefore()).isNull());
        assertThat(r.batches().get(0).headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of("id"));
    }

    @Test
    void nothingWithoutPrimaryKeyHasAnEmptyKey() throws Exception {
        Received r = run("id int, code int, v text", "ALTER TABLE $t REPLICA IDENTITY NOTHING", "&publish=insert",
                "id");
        db.execute("INSERT INTO " + table + " VALUES (5, 50, 'z')");
        await().until(() -> r.eventCount() == 2);
        assertThat(r.events()).extracting(ChangeEvent::getKey).containsExactly(Map.of(), Map.of());
        assertThat(r.events().get(1).getAfter()).isEqualTo(row(5, 50, "z"));
        assertThat(r.batches().get(0).headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of());
    }
}
