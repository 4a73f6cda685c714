package io.pgreplication.camel.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import io.pgreplication.camel.PgReplicationConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.processor.state.FileStateRepository;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The offsetRepository: the confirmed position is recorded per slot and server, and a slot it knows but the server
 * lacks is never made again silently, neither at start nor while streaming; the two documented ways out work. Without a
 * repository, a slot made for a publication that already existed is a WARN with its start position. (Nothing here
 * depends on the server's version: the lost slot after a real failover runs on 16, 17 and 18 in
 * DatabaseFailoverFaultIT.)
 */
class OffsetRepositoryIT extends ReplicationITSupport {

    private String table;
    private String systemIdentifier;
    private Path file;

    @BeforeEach
    void tableAndRepository() throws Exception {
        table = slot + "_t";
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)");
        systemIdentifier = db.queryString("SELECT system_identifier::text FROM pg_control_system()");
        file = Files.createTempFile(Path.of("target"), "offsets-", ".dat");
    }

    private String key() {
        return slot + "@" + systemIdentifier;
    }

    @Test
    void theConfirmedPositionIsRecordedPerSlotAndServer() throws Exception {
        Received received = new Received();
        CamelContext context = startWithRepository(fileRepository(), "", received);
        awaitStreaming();
        db.execute("INSERT INTO " + table + " VALUES (1, 'a'), (2, 'b')");
        await().until(() -> received.events().size() == 2);
        context.stop();
        String recorded = stored().getState(key());
        assertThat(recorded).as("the file holds a position under <slot>@<system identifier>").isNotBlank();
        assertThat(lsnDiff(recorded, received.events().get(1).getCommitLsn())).as("past the last change")
                .isPositive();
        // The final status update may not reach the server before the connection closes: never behind it, though.
        assertThat(lsnDiff(recorded, confirmed())).as("at or past the server's confirmed position")
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void aDroppedSlotTheRepositoryKnowsFailsTheStartAndIsNotMadeAgain() throws Exception {
        CamelContext first = startWithRepository(fileRepository(), "");
        awaitStreaming();
        db.execute("INSERT INTO " + table + " VALUES (1, 'a')");
        await().until(() -> !"0/0".equals(consumer(first).getConfirmedLsn())
                            && consumer(first).getConfirmedLsn().equals(confirmed()));
        first.stop();
        String last = stored().getState(key());
        // The walsender exits a moment after the connection closed.
        await().until(() -> "f".equals(db.queryString("SELECT active FROM pg_replication_slots WHERE slot_name = '"
                                                      + slot + "'")));
        db.execute("SELECT pg_drop_replication_slot('" + slot + "')");

        CamelContext second = withRepository(fileRepository(), "");
        assertThatThrownBy(second::start)
                .hasStackTraceContaining("slot=" + slot + ": the replication slot does not exist on this server")
                .hasStackTraceContaining("records it confirmed up to " + last + " (key " + key() + ")")
                .hasStackTraceContaining("reset=true&snapshotMode=initial")
                .hasStackTraceContaining("append the line '" + key() + "=' to its file");
        assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .as("no slot made").isEqualTo("0");
    }

    @Test
    void aSlotLostWhileStreamingTurnsHealthDownAndIsNotMadeAgain() throws Exception {
        CamelContext context = startWithRepository(fileRepository(), "");
        awaitStreaming();
        db.execute("INSERT INTO " + table + " VALUES (1, 'a')");
        await().until(() -> consumer(context).getConfirmedLsn().equals(confirmed()) && !"0/0".equals(confirmed()));
        await().until(() -> {
            db.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot
                       + "' AND active_pid IS NOT NULL");
            try {
                db.execute("SELECT pg_drop_replication_slot('" + slot + "')");
                return true;
            } catch (IllegalStateException e) {
                return false; // the consumer reconnected in between
            }
        });
        await().until(() -> consumer(context).getReconnectAttempts() >= 3);
        HealthCheck.Result health = consumer(context).getHealthCheck().call();
        assertThat(health.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(health.getMessage()).hasValueSatisfying(m -> assertThat(m)
                .contains("the replication slot does not exist on this server")
                .contains("this consumer streamed it and confirmed it up to")
                .contains("append the line '" + key() + "='"));
        assertThat(consumer(context).isStreaming()).isFalse();
        assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .as("no slot made").isEqualTo("0");
    }

    @Test
    void clearingTheStoredPositionAcceptsTheGap() throws Exception {
        FileStateRepository repository = stored();
        repository.setState(key(), "0/1000");
        db.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        assertThatThrownBy(() -> startWithRepository(repository, ""))
                .hasStackTraceContaining("does not exist on this server");
        repository.setState(key(), "");
        try (LogCapture log = LogCapture.start("clear", Level.WARN)) {
            startWithRepository(repository, "");
            awaitStreaming();
            assertThat(log.text()).contains("WARN").contains("slot=" + slot + " created the replication slot at")
                    .contains("although publication " + publication + " already existed")
                    .contains("The offsetRepository held no position for it on this server");
        }
        assertThat(repository.getState(key())).as("the new slot is recorded").isNotBlank();
    }

    @Test
    void resetWithASnapshotResynchronisesALostSlot() throws Exception {
        FileStateRepository repository = stored();
        repository.setState(key(), "0/1000");
        db.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + table,
                "INSERT INTO " + table + " VALUES (1, 'a')");
        Received received = new Received();
        startWithRepository(repository, "reset=true&snapshotMode=initial", received);
        await().until(() -> received.events().size() == 1);
        assertThat(received.events().get(0).getOp()).isEqualTo("snapshot");
        awaitStreaming();
        assertThat(repository.getState(key())).as("the old position is replaced").isNotEqualTo("0/1000")
                .isNotBlank();
    }

    @Test
    void aSlotDroppedOnPurposeWithTheProducerIsForgottenSoAConsumerMayMakeItAgain() throws Exception {
        CamelContext context = startWithRepository(fileRepository(), "");
        awaitStreaming();
        context.stop();
        assertThat(stored().getState(key())).isNotBlank();
        await().until(() -> "f".equals(db.queryString("SELECT active FROM pg_replication_slots WHERE slot_name = '"
                                                      + slot + "'")));
        CamelContext producer = new DefaultCamelContext();
        producer.getRegistry().bind("offsets", fileRepository());
        contexts.add(producer);
        producer.start();
        producer.createProducerTemplate().requestBody(uri("operation=dropSlot&offsetRepository=#offsets"),
                (Object) null);
        assertThat(stored().getState(key())).as("cleared").isEmpty();
        startWithRepository(fileRepository(), "");
        awaitStreaming();
    }

    @Test
    void withoutARepositoryAMissingSlotOfAnExistingPublicationIsAWarningWithItsPosition() throws Exception {
        db.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        try (LogCapture log = LogCapture.start("warn", Level.WARN)) {
            startRoute("tables=" + table, new Received());
            awaitStreaming();
            String created = db.queryString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE"
                                            + " slot_name = '" + slot + "'");
            assertThat(log.text()).contains("WARN").contains("slot=" + slot + " created the replication slot at "
                                                             + created + ", although publication " + publication
                                                             + " already existed").contains("Set offsetRepository");
        }
    }

    /** A repository on this test's file, not started: the component starts it. */
    private FileStateRepository fileRepository() {
        return FileStateRepository.fileStateRepository(new File(file.toString()));
    }

    /** What the file holds now. */
    private FileStateRepository stored() {
        FileStateRepository repository = fileRepository();
        repository.start();
        return repository;
    }

    private CamelContext startWithRepository(FileStateRepository repository, String extra) throws Exception {
        return startWithRepository(repository, extra, new Received());
    }

    private CamelContext startWithRepository(FileStateRepository repository, String extra, Received received)
            throws Exception {
        CamelContext context = withRepository(repository, extra, received);
        context.start();
        return context;
    }

    private CamelContext withRepository(FileStateRepository repository, String extra) throws Exception {
        return withRepository(repository, extra, new Received());
    }

    /** A context, not started, whose route records positions in {@code repository} (not started either). */
    private CamelContext withRepository(FileStateRepository repository, String extra, Received received)
            throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.getRegistry().bind("offsets", repository);
        contexts.add(context);
        String endpoint = uri("tables=" + table + "&offsetRepository=#offsets&statusInterval=200&reconnectDelay=100"
                              + "&maxReconnectDelay=400"
                              + (extra.isEmpty() ? "" : "&" + extra));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(endpoint).routeId("offsets").process(received);
            }
        });
        return context;
    }

    private static PgReplicationConsumer consumer(CamelContext context) {
        return (PgReplicationConsumer) context.getRoutes().get(0).getConsumer();
    }
}
