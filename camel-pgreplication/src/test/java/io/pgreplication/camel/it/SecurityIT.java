package io.pgreplication.camel.it;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.Operation;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Security: awkward identifiers work end to end, injection through options fails harmlessly, and a
 * least-privilege role (LOGIN REPLICATION, owner of its tables, not superuser) streams end to end.
 */
class SecurityIT extends ReplicationITSupport {

    @Test
    void namesWithQuotesSpacesCapitalsAndUnicodeWorkEndToEnd() throws Exception {
        String schema = "Sales \"Dept\" " + TestDatabase.uniqueName("s");
        String table = "Order Items ü 注文";
        publication = "Pub's \"Q\" " + slot;
        db.execute("CREATE SCHEMA " + quote(schema),
                "CREATE TABLE " + quote(schema) + "." + quote(table) + " (\"Id\" int PRIMARY KEY, \"it's \"\"qty\"\"\""
                + " int, \"Ünïcode 列\" text)");
        Received received = new Received();
        start(new RouteBuilder() {
            @Override
            public void configure() {
                from("pgreplication:" + slot + "?publication=RAW(" + quote(publication) + ")&tables=RAW("
                     + quote(schema) + "." + quote(table) + ")&batchTimeout=20&" + db.endpointOptions())
                        .process(received);
            }
        });
        awaitStreaming();
        String qualified = quote(schema) + "." + quote(table);
        db.execute("INSERT INTO " + qualified + " VALUES (1, 2, 'ß✓😀')",
                "UPDATE " + qualified + " SET \"Id\" = 5 WHERE \"Id\" = 1", "DELETE FROM " + qualified);
        await().until(() -> received.eventCount() == 3);
        List<ChangeEvent> events = received.events();
        assertThat(events).extracting(ChangeEvent::getOperation)
                .containsExactly(Operation.INSERT, Operation.UPDATE, Operation.DELETE);
        assertThat(events.get(0).getSchema()).isEqualTo(schema);
        assertThat(events.get(0).getTable()).isEqualTo(table);
        assertThat(events.get(0).getAfter()).isEqualTo(Map.of("Id", 1, "it's \"qty\"", 2, "Ünïcode 列", "ß✓😀"));
        assertThat(events.get(1).getKey()).isEqualTo(Map.of("Id", 1));
        assertThat(received.batches().get(0).header("CamelPgReplicationTable")).isEqualTo(schema + "." + table);
        assertThat(db.queryString("SELECT count(*) FROM pg_publication WHERE pubname = '"
                                  + publication.replace("'", "''") + "'")).isEqualTo("1");
    }

    @Test
    void injectionThroughOptionsFailsHarmlessly() throws Exception {
        String victim = TestDatabase.uniqueName("victim");
        db.execute("CREATE TABLE " + victim + " (id int PRIMARY KEY)", "INSERT INTO " + victim + " VALUES (1)");
        String base = "pgreplication:" + slot + "?" + db.endpointOptions();
        String drop = "DROP TABLE " + victim;
        // Rejected at endpoint creation: unquoted names stop at the first character that is not part of a name.
        for (String bad : List.of("&publication=x;" + drop, "&tables=public.x;" + drop, "&publish=insert');" + drop
                                  + ";--", "&tables=RAW(x) " + drop)) {
            assertThatThrownBy(() -> start(routeFrom(base + bad))).as(bad).hasMessageContaining("Invalid option");
        }
        assertThatThrownBy(() -> start(routeFrom("pgreplication:x'--?" + db.endpointOptions())))
                .hasMessageContaining("Invalid slot name");
        // Quoted names are names: a table that does not exist, a publication with an odd name.
        assertThatThrownBy(() -> start(routeFrom(base + "&publication=" + publication + "&tables=RAW(public.\""
                                                 + victim + "; " + drop + "\")")))
                .hasMessageContaining("does not exist");
        publication = "x'); " + drop + "; --";
        Received received = new Received();
        start(new RouteBuilder() {
            @Override
            public void configure() {
                from(base + "&publication=RAW(\"" + publication + "\")&tables=" + victim + "&batchTimeout=20")
                        .process(received);
            }
        });
        awaitStreaming();
        db.execute("INSERT INTO " + victim + " VALUES (2)");
        await().until(() -> received.eventCount() == 1);
        assertThat(db.queryString("SELECT count(*) FROM " + victim)).isEqualTo("2");
        assertThat(db.queryString("SELECT pubname FROM pg_publication WHERE pubname LIKE 'x''); DROP%'"))
                .isEqualTo(publication);
    }

    @Test
    void aLeastPrivilegeRoleStreamsEndToEnd() throws Exception {
        String role = TestDatabase.uniqueName("cdc_app");
        String t = TestDatabase.uniqueName("owned");
        Properties p = Driver.parseURL(db.jdbcUrl(), new Properties());
        String database = p.getProperty("PGDBNAME");
        // Exactly the grants docs/setup.md gives: REPLICATION, CREATE on the database (for CREATE PUBLICATION),
        // ownership of the published tables.
        db.execute("CREATE ROLE " + role + " LOGIN REPLICATION", "GRANT CREATE ON DATABASE " + database + " TO " + role,
                "CREATE TABLE " + t + " (id int PRIMARY KEY, v text)", "ALTER TABLE " + t + " OWNER TO " + role);
        try {
            String connection = "url=jdbc:postgresql://" + p.getProperty("PGHOST") + ":" + p.getProperty("PGPORT")
                                + "/" + database + "&user=" + role;
            Received received = new Received();
            start(new RouteBuilder() {
                @Override
                public void configure() {
                    from("pgreplication:" + slot + "?publication=" + publication + "&tables=" + t
                         + "&batchTimeout=20&" + connection).process(received);
                }
            });
            awaitStreaming();
            assertThat(db.queryString("SELECT rolsuper FROM pg_roles WHERE rolname = '" + role + "'"))
                    .isEqualTo("f");
            assertThat(db.queryString("SELECT pg_get_userbyid(pubowner) FROM pg_publication WHERE pubname = '"
                                      + publication + "'")).isEqualTo(role);
            db.execute("INSERT INTO " + t + " VALUES (1, 'a')", "UPDATE " + t + " SET v = 'b'",
                    "DELETE FROM " + t);
            await().until(() -> received.eventCount() == 3);
            String before = confirmed();
            db.execute("INSERT INTO " + t + " VALUES (2, 'c')");
            await().until(() -> received.eventCount() == 4 && lsnDiff(confirmed(), before) > 0);
        } finally {
            for (var c : contexts) {
                c.stop();
            }
            db.dropSlotAndPublication(slot, publication);
            db.execute("DROP TABLE IF EXISTS " + t, "REVOKE CREATE ON DATABASE " + database + " FROM " + role,
                    "DROP ROLE " + role);
        }
    }

    @Test
    void aWholeSchemaNeedsASuperuserAndTheErrorSaysWhatToDoInstead() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(db.serverVersion() >= 150000, "FOR TABLES IN SCHEMA is PG15+");
        String role = TestDatabase.uniqueName("cdc_app");
        Properties p = Driver.parseURL(db.jdbcUrl(), new Properties());
        String database = p.getProperty("PGDBNAME");
        db.execute("CREATE ROLE " + role + " LOGIN REPLICATION", "GRANT CREATE ON DATABASE " + database + " TO " + role);
        try {
            String uri = "pgreplication:" + slot + "?publication=" + publication + "&tables=public.*&url=jdbc:postgresql://"
                         + p.getProperty("PGHOST") + ":" + p.getProperty("PGPORT") + "/" + database + "&user=" + role;
            assertThatThrownBy(() -> start(routeFrom(uri)))
                    .hasStackTraceContaining("only a superuser may publish a whole schema")
                    .hasStackTraceContaining("tables=public.orders")
                    .hasStackTraceContaining("ALTER PUBLICATION \"" + publication + "\" ADD TABLES IN SCHEMA \"public\"");
        } finally {
            db.dropSlotAndPublication(slot, publication);
            db.execute("REVOKE CREATE ON DATABASE " + database + " FROM " + role, "DROP ROLE " + role);
        }
    }

    private RouteBuilder routeFrom(String uri) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).log("never");
            }
        };
    }

    private static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
