package io.pgreplication.camel.it;

import java.util.List;
import java.util.Map;

import io.pgreplication.camel.event.ChangeEvent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Binary mode is only used when every delivered column decodes exactly from its binary form (docs/types.md): other
 * tables stream text, and a column added while streaming binary switches the consumer to text without losing changes.
 */
@Tag("compat")
class BinaryValuesFallbackIT extends ReplicationITSupport {

    @Test
    void aTableWithTypesWithoutExactBinaryDecodersStreamsTextAndGetsTheServersTextForms() throws Exception {
        String table = TestDatabase.uniqueName("others");
        String pair = table + "_pair";
        db.execute("CREATE EXTENSION IF NOT EXISTS hstore",
                "CREATE TYPE " + pair + " AS (a int, b text)",
                "CREATE TABLE " + table + " (id int PRIMARY KEY, m money, p point, bx box, c " + pair + ","
                + " h hstore, r int4range, tsv tsvector, pairs " + pair + "[], boxes box[])");
        Received received = stream("tables=" + table + "&batchTimeout=20");
        // binaryValues is left at its default (on for PostgreSQL 14+), yet these types keep the session in text mode.
        assertThat(walsenderCommand()).doesNotContain("binary");

        db.execute("INSERT INTO " + table + " VALUES (1, 1.5, '(1,2.5)', '((1,1),(0,0))', ROW(1, 'x y'),"
                   + " 'a=>1, b=>NULL', '[1,5)', 'a fat cat', ARRAY[ROW(2, 'z')::" + pair + "],"
                   + " ARRAY['((1,1),(0,0))'::box, '((3,3),(2,2))'::box])");
        await().until(() -> received.eventCount() == 1);

        Map<String, Object> after = received.events().get(0).getAfter();
        for (String column : List.of("m", "p", "bx", "c", "h", "r", "tsv")) {
            assertThat(after.get(column)).as(column)
                    .isEqualTo(db.queryString("SELECT " + column + " FROM " + table + " WHERE id = 1"));
        }
        assertThat(after.get("c")).isEqualTo("(1,\"x y\")");
        assertThat(after.get("r")).isEqualTo("[1,5)");
        assertThat(after.get("pairs")).isEqualTo(List.of("(2,z)"));
        // box is the one built-in type whose array delimiter is ';'.
        assertThat(after.get("boxes")).isEqualTo(List.of("(1,1),(0,0)", "(3,3),(2,2)"));
    }

    @Test
    void aColumnAddedWhileStreamingBinaryThatBinaryCannotDecodeSwitchesToTextWithoutLosingChanges() throws Exception {
        String table = TestDatabase.uniqueName("grows");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)");
        Received received = stream("tables=" + table + "&batchTimeout=20&reconnectDelay=100");
        assumeTrue(db.serverVersion() >= 140000, "binary values need PostgreSQL 14");
        assertThat(walsenderCommand()).contains("\"binary\" 'true'");

        db.execute("INSERT INTO " + table + " VALUES (1, 'before')");
        await().until(() -> received.eventCount() >= 1);
        db.execute("ALTER TABLE " + table + " ADD COLUMN m money",
                "INSERT INTO " + table + " VALUES (2, 'after', 2.25)",
                "INSERT INTO " + table + " VALUES (3, 'later', 3)");

        await().until(() -> received.events().stream().anyMatch(e -> e.getAfter().get("id").equals(3)));
        assertThat(received.events()).extracting(e -> e.getAfter().get("id")).containsSubsequence(1, 2, 3);
        ChangeEvent two = received.events().stream().filter(e -> e.getAfter().get("id").equals(2)).findFirst()
                .orElseThrow();
        assertThat(two.getAfter()).containsEntry("v", "after")
                .containsEntry("m", db.queryString("SELECT m FROM " + table + " WHERE id = 2"));
        awaitStreaming();
        assertThat(walsenderCommand()).doesNotContain("binary");
    }

    @Test
    void aColumnLeftOutOfThePublicationsColumnListDoesNotKeepTheSessionInTextMode() throws Exception {
        assumeTrue(db.serverVersion() >= 150000, "column lists need PostgreSQL 15");
        String table = TestDatabase.uniqueName("listed");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text, m money)",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table + " (id, v)");
        Received received = stream("tables=" + table + "&batchTimeout=20");
        assertThat(walsenderCommand()).contains("\"binary\" 'true'");

        db.execute("INSERT INTO " + table + " VALUES (1, 'listed', 5)");
        await().until(() -> received.eventCount() == 1);
        assertThat(received.events().get(0).getAfter()).isEqualTo(Map.of("id", 1, "v", "listed"));
    }

    private String walsenderCommand() {
        return db.queryString("SELECT query FROM pg_stat_activity WHERE pid = (SELECT active_pid FROM"
                              + " pg_replication_slots WHERE slot_name = '" + slot + "')");
    }
}
