package io.pgreplication.camel.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A table in {@code tables} is followed by identity, not by name (docs/user-guide.md): renamed or moved to another
 * schema while streaming, its changes keep coming under the new name with a WARN naming both; a later start with the
 * old name fails naming both; a {@code schema.*} entry keeps matching by schema. PostgreSQL itself keeps publishing a
 * renamed table, since publications hold tables by OID.
 */
@Tag("compat")
class TableRenameIT extends ReplicationITSupport {

    private final List<String> dropLater = new ArrayList<>();
    private LogCapture log;

    @BeforeEach
    void captureLogs() {
        log = LogCapture.start("rename", Level.INFO);
    }

    @AfterEach
    void dropTables() throws Exception {
        log.close();
        for (CamelContext context : contexts) {
            context.stop();
        }
        for (String sql : dropLater) {
            db.execute(sql);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"binaryValues=false", "binaryValues=true", "snapshotMode=initial"})
    void aRenamedTableKeepsStreamingUnderItsNewName(String mode) throws Exception {
        String unique = TestDatabase.uniqueName("tr_unique");
        String pkey = unique + "_renamed";
        dropLater.add("DROP TABLE IF EXISTS " + unique + ", " + pkey);
        db.execute("CREATE TABLE " + unique + " (data int NOT NULL, note text)",
                "CREATE UNIQUE INDEX " + unique + "_idx ON " + unique + " (data)",
                "ALTER TABLE " + unique + " REPLICA IDENTITY USING INDEX " + unique + "_idx",
                "INSERT INTO " + unique + " VALUES (100, 'before the start')");
        Received received = stream("tables=public." + unique + "&batchTimeout=20&" + mode);
        boolean snapshot = mode.startsWith("snapshotMode");

        db.execute("INSERT INTO " + unique + " VALUES (10, 'a')",
                "ALTER TABLE " + unique + " RENAME TO " + pkey,
                "INSERT INTO " + pkey + " VALUES (1, 'b')",
                "UPDATE " + pkey + " SET data = 2 WHERE data = 10",
                "DELETE FROM " + pkey + " WHERE data = 1");

        int expected = snapshot ? 5 : 4;
        await().until(() -> received.eventCount() >= expected);
        List<ChangeEvent> events = received.events();
        List<String> seen = events.stream().map(e -> e.getOp() + " " + e.getSchema() + "." + e.getTable()
                                                     + " " + e.getKey()).toList();
        List<String> wanted = new ArrayList<>();
        if (snapshot) {
            wanted.add("snapshot public." + unique + " {data=100}");
        }
        wanted.addAll(List.of("insert public." + unique + " {data=10}", "insert public." + pkey + " {data=1}",
                "update public." + pkey + " {data=10}", "delete public." + pkey + " {data=1}"));
        assertThat(seen).containsExactlyElementsOf(wanted);
        assertThat(events.get(events.size() - 2).getAfter()).isEqualTo(Map.of("data", 2, "note", "a"));
        await().until(() -> log.text().contains("public." + unique) && log.text().contains("public." + pkey));
        assertThat(log.text()).containsPattern("WARN .* table public\\." + unique + " is now public\\." + pkey);
    }

    @Test
    void setSchemaKeepsTheChangesComingUnderTheNewSchema() throws Exception {
        String table = TestDatabase.uniqueName("moved");
        String schema = TestDatabase.uniqueName("elsewhere");
        dropLater.add("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        dropLater.add("DROP TABLE IF EXISTS " + table);
        db.execute("CREATE SCHEMA " + schema, "CREATE TABLE " + table + " (id int PRIMARY KEY)");
        Received received = stream("tables=" + table + "&batchTimeout=20");

        db.execute("INSERT INTO " + table + " VALUES (1)", "ALTER TABLE " + table + " SET SCHEMA " + schema,
                "INSERT INTO " + schema + "." + table + " VALUES (2)");

        await().until(() -> received.eventCount() == 2);
        assertThat(received.events()).extracting(e -> e.getSchema() + "." + e.getTable())
                .containsExactly("public." + table, schema + "." + table);
        await().until(() -> log.text().contains("is now " + schema + "." + table));
        Map<?, ?> status = contexts.get(0).createProducerTemplate().requestBody(uri("operation=status"), null,
                Map.class);
        assertThat(status.get("tables")).as("the status names the table as the stream does")
                .isEqualTo(List.of(schema + "." + table));
    }

    @Test
    void aStartWithTheOldNameFailsNamingTheOldAndTheNewName() throws Exception {
        String table = TestDatabase.uniqueName("old_name");
        String renamed = table + "_new";
        dropLater.add("DROP TABLE IF EXISTS " + table + ", " + renamed);
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        CamelContext first = startRoute("tables=" + table, new Received());
        awaitStreaming();
        first.stop();
        db.execute("ALTER TABLE " + table + " RENAME TO " + renamed);

        CamelContext second = unstarted(uri("tables=" + table));
        assertThatThrownBy(second::start)
                .hasStackTraceContaining("table public." + table + " does not exist")
                .hasStackTraceContaining("public." + renamed + ", which option tables does not name");
    }

    @Test
    void includeColumnsFollowTheRenamedTable() throws Exception {
        String table = TestDatabase.uniqueName("narrowed");
        String renamed = table + "_new";
        dropLater.add("DROP TABLE IF EXISTS " + table + ", " + renamed);
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, visible text, secret text)");
        Received received = stream("tables=" + table + "&includeColumns=" + table + "(id,visible)&batchTimeout=20");

        db.execute("INSERT INTO " + table + " VALUES (1, 'a', 'x')", "ALTER TABLE " + table + " RENAME TO " + renamed,
                "INSERT INTO " + renamed + " VALUES (2, 'b', 'y')");

        await().until(() -> received.eventCount() == 2);
        assertThat(received.events()).extracting(ChangeEvent::getAfter)
                .containsExactly(Map.of("id", 1, "visible", "a"), Map.of("id", 2, "visible", "b"));
    }

    @Test
    void aListedColumnRenamedAwayIsNamedInAWarning() throws Exception {
        String table = TestDatabase.uniqueName("column_renamed");
        dropLater.add("DROP TABLE IF EXISTS " + table);
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, status text, secret text)");
        Received received = stream("tables=" + table + "&includeColumns=" + table + "(id,status)&batchTimeout=20");

        db.execute("INSERT INTO " + table + " VALUES (1, 'new', 'x')",
                "ALTER TABLE " + table + " RENAME COLUMN status TO state",
                "INSERT INTO " + table + " VALUES (2, 'paid', 'y')");

        await().until(() -> received.eventCount() == 2);
        assertThat(received.events()).extracting(ChangeEvent::getAfter)
                .containsExactly(Map.of("id", 1, "status", "new"), Map.of("id", 2));
        await().until(() -> log.text().contains("includeColumns lists [status] of table public." + table
                                                + ", which the table no longer has"));
    }

    @Test
    void aWholeSchemaEntryMatchesBySchema() throws Exception {
        String schema = TestDatabase.uniqueName("whole");
        String leaving = "leaving";
        dropLater.add("DROP TABLE IF EXISTS public." + leaving + "_" + schema);
        dropLater.add("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        db.execute("CREATE SCHEMA " + schema, "CREATE TABLE " + schema + ".staying (id int PRIMARY KEY)",
                "CREATE TABLE " + schema + "." + leaving + "_" + schema + " (id int PRIMARY KEY)");
        Received received = stream("tables=" + schema + ".*&batchTimeout=20");

        db.execute("INSERT INTO " + schema + "." + leaving + "_" + schema + " VALUES (1)",
                "ALTER TABLE " + schema + "." + leaving + "_" + schema + " SET SCHEMA public",
                "INSERT INTO public." + leaving + "_" + schema + " VALUES (2)",
                "INSERT INTO " + schema + ".staying VALUES (3)");

        await().until(() -> received.events().stream().anyMatch(e -> "staying".equals(e.getTable())));
        assertThat(received.events()).extracting(e -> e.getSchema() + "." + e.getTable() + " " + e.getKey())
                .containsExactly(schema + "." + leaving + "_" + schema + " {id=1}", schema + ".staying {id=3}");
    }
}
