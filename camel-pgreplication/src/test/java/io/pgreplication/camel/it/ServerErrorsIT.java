package io.pgreplication.camel.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Server misconfigurations fail the start with the fix; a held slot is retried and named. */
class ServerErrorsIT extends ReplicationITSupport {

    @Test
    void aServerWithWalLevelReplicaFailsTheStartAndSaysHowToFixIt() throws Exception {
        try (EmbeddedPostgres replica = EmbeddedPostgres.builder().setServerConfig("wal_level", "replica").start()) {
            CamelContext context = unstarted("pgreplication:" + slot + "?url=RAW("
                                             + replica.getJdbcUrl("postgres", "postgres") + ")&user=postgres");
            assertThatThrownBy(context::start)
                    .hasStackTraceContaining("wal_level=replica")
                    .hasStackTraceContaining("ALTER SYSTEM SET wal_level = logical");
        }
    }

    @Test
    void aRoleWithoutReplicationFailsTheStartAndNamesTheGrant() throws Exception {
        String role = TestDatabase.uniqueName("norepl");
        db.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'");
        try {
            CamelContext context = unstarted("pgreplication:" + slot + "?url=RAW(" + db.jdbcUrl() + ")&user="
                                             + role + "&password=pw");
            assertThatThrownBy(context::start)
                    .hasStackTraceContaining("may not use replication")
                    .hasStackTraceContaining("ALTER ROLE \"" + role + "\" REPLICATION");
        } finally {
            db.execute("DROP ROLE " + role);
        }
    }

    @Test
    void aMissingPublicationWithCreatePublicationFalseFailsTheStart() throws Exception {
        CamelContext context = unstarted(uri("createPublication=false"));
        assertThatThrownBy(context::start)
                .hasStackTraceContaining("publication " + publication + " does not exist and createPublication=false")
                .hasStackTraceContaining("CREATE PUBLICATION");
    }

    @Test
    void publishingATableWithoutKeyOrReplicaIdentityIsRefusedBeforeItBreaksTheApplication() throws Exception {
        String table = TestDatabase.uniqueName("nokey");
        db.execute("CREATE TABLE " + table + " (v text)");
        CamelContext context = unstarted(uri("tables=" + table));
        assertThatThrownBy(context::start)
                .hasStackTraceContaining("has no primary key or replica identity")
                .hasStackTraceContaining("REPLICA IDENTITY FULL");
        // nothing was published, so the application's UPDATE still works
        db.execute("INSERT INTO " + table + " VALUES ('a')", "UPDATE " + table + " SET v = 'b'");
    }

    @Test
    void aMissingTableIsNamed() throws Exception {
        CamelContext context = unstarted(uri("tables=public.no_such_table"));
        assertThatThrownBy(context::start)
                .hasStackTraceContaining("table public.no_such_table does not exist");
    }

    @Test
    void aSlotHeldByAnotherConnectionIsRetriedAndTheHolderNamedUntilItIsFree() throws Exception {
        String table = TestDatabase.uniqueName("held");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        db.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        Properties props = new Properties();
        props.setProperty("user", db.user());
        if (db.password() != null) {
            props.setProperty("password", db.password());
        }
        props.setProperty("replication", "database");
        props.setProperty("assumeMinServerVersion", "10");
        props.setProperty("preferQueryMode", "simple");
        props.setProperty("ApplicationName", "the-other-consumer");
        Received received = new Received();
        try (Connection holder = DriverManager.getConnection(db.jdbcUrl(), props)) {
            PGReplicationStream stream = holder.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                    .logical().withSlotName(slot).withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", publication).start();
            stream.readPending();
            CamelContext context = new DefaultCamelContext();
            contexts.add(context);
            context.addRoutes(new RouteBuilder() {
                public void configure() {
                    from(uri("reconnectDelay=200&maxReconnectDelay=400&tables=" + table))
                            .process(received);
                }
            });
            context.start();
            // the consumer started (a held slot is transient) and reports who holds it, through its exception handler
            assertThat(context.getRouteController().getRouteStatus(context.getRoutes().get(0).getId()).isStarted())
                    .isTrue();
            await().until(() -> logContains("slot=" + slot + ": cannot stream")
                                && logContains("the replication slot is in use by PID")
                                && logContains("application_name='the-other-consumer'"));
        }
        // the holder is gone: the consumer takes the slot over and streams
        db.execute("INSERT INTO " + table + " VALUES (1)");
        await().until(() -> received.eventCount() == 1);
    }

    private static boolean logContains(String text) throws Exception {
        java.nio.file.Path log = java.nio.file.Path.of("target/test.log");
        return java.nio.file.Files.exists(log) && java.nio.file.Files.readString(log).contains(text);
    }
}
