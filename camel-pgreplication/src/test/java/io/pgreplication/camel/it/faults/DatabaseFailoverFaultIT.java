package io.pgreplication.camel.it.faults;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.pgreplication.camel.it.TestDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.processor.state.FileStateRepository;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The database fails over under a streaming consumer: a primary and a physical standby ({@link StandbyPair}), writers
 * on the primary, the primary killed ({@code pg_ctl stop -m immediate}) and the standby promoted. The consumer is
 * given both hosts. The sink lives on the shared test server, which does not fail over.
 * <ul>
 * <li>With failover slots (PostgreSQL 17+: the slot has the failover property, the standby synchronizes it, the
 * primary holds changes back until the standby has them) the consumer resumes on the promoted standby from the
 * synchronized slot, and nothing is lost.</li>
 * <li>Without them (PostgreSQL 16, or {@code failover=false}) the slot is not on the new primary. A consumer with an
 * offsetRepository refuses to go on: health DOWN while running, the start fails afterwards; no slot is made.</li>
 * </ul>
 * Each failover runs on a pair of its own: once in every build, {@code faults.rounds / 2} times in the faults-long
 * profile. Runs on 17 and, in the compatibility matrix, on 18 (failover slots) and 16 (without).
 */
@Tag("compat")
class DatabaseFailoverFaultIT extends FaultITSupport {

    private static final int FAILOVERS = Math.max(1, ROUNDS / 2);

    @Test
    void withFailoverSlotsTheConsumerResumesOnThePromotedStandbyWithNothingLost() throws Exception {
        assumeTrue(db.serverVersion() >= 170000, "failover slots need PostgreSQL 17");
        new OwnedServer(db);
        long written = 0;
        long delivered = 0;
        long lost = 0;
        long duplicated = 0;
        for (int round = 1; round <= FAILOVERS; round++) {
            ReliabilityReport.Result r = failOver(round);
            written += r.written();
            delivered += r.delivered();
            lost += r.lost();
            duplicated += r.duplicated();
        }
        ReliabilityReport.print("primary killed, standby promoted (failover slots, both hosts in url)", FAILOVERS,
                written, delivered, String.valueOf(lost), duplicated);
        assertThat(lost).as("committed changes missing from the sink").isZero();
        assertThat(delivered).isEqualTo(written);
    }

    private ReliabilityReport.Result failOver(int round) throws Exception {
        try (StandbyPair pair = StandbyPair.start(db, slot + "-failover-" + round, true)) {
            TestDatabase primary = pair.primary().db();
            TestDatabase writable = pair.primaryOfBoth();
            primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, seq int NOT NULL)");
            String consumer = "failover-" + round;
            CamelContext context = startConsumer(pair.jdbcUrlOfBoth(), "", consumer, repository("failover"));
            awaitActive(primary);
            workload = new Workload(writable, table, 3, 20).start();
            writeMore(200);
            pair.awaitSyncReady(slot);
            writeMore(100 + randomMillis(0, 200));
            pair.killPrimary();
            pair.promoteStandby();
            TestDatabase promoted = pair.standby().db();
            awaitActive(promoted);
            writeMore(200);
            awaitConfirmed(promoted);
            assertThat(promoted.queryString("SELECT synced FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                    .as("the consumer streams the slot the standby synchronized, not a new one").isEqualTo("t");
            assertThat(consumer(context).isStreaming()).isTrue();
            context.stop();
            ReliabilityReport.Result result = check(promoted, consumer);
            System.out.println("FAILOVER round " + round + ": " + result);
            return result;
        }
    }

    @Test
    void withoutFailoverSlotsAConsumerWithAnOffsetRepositoryRefusesToGoOn() throws Exception {
        int major = db.serverVersion() / 10000;
        assumeTrue(major == 16 || major == 17, "runs on 16 (no failover slots) and 17 (failover=false)");
        new OwnedServer(db);
        try (StandbyPair pair = StandbyPair.start(db, slot + "-refused", major >= 17)) {
            TestDatabase primary = pair.primary().db();
            primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, seq int NOT NULL)");
            File offsets = repository("refused");
            CamelContext context = startConsumer(pair.libpqUrlOfBoth() + "?target_session_attrs=read-write",
                    major >= 17 ? "failover=false" : "", "refused", offsets);
            awaitActive(primary);
            workload = new Workload(pair.primaryOfBoth(), table, 3, 20).start();
            writeMore(200);
            awaitConfirmed(primary);
            pair.killPrimary();
            pair.promoteStandby();
            TestDatabase promoted = pair.standby().db();
            workload = new Workload(pair.primaryOfBoth(), table, 3, 20).start();
            writeMore(100);
            await().until(() -> consumer(context).getReconnectAttempts() >= 3
                                && String.valueOf(consumer(context).getHealthCheck().call().getMessage())
                                        .contains("does not exist on this server"));
            HealthCheck.Result health = consumer(context).getHealthCheck().call();
            assertThat(health.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(health.getMessage()).hasValueSatisfying(m -> assertThat(m)
                    .contains("slot=" + slot + ": the replication slot does not exist on this server")
                    .contains("reset=true&snapshotMode=initial").contains("clear the stored position"));
            assertThat(consumer(context).isStreaming()).isFalse();
            context.stop();

            CamelContext restarted = consumerContext(pair.jdbcUrlOfBoth(), "", "refused-restart", offsets);
            assertThatThrownBy(restarted::start)
                    .hasStackTraceContaining("the replication slot does not exist on this server")
                    .hasStackTraceContaining("the offsetRepository records it confirmed up to");
            assertThat(promoted.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot
                                            + "'")).as("no slot made on the new primary").isEqualTo("0");
            workload.close();
            ReliabilityReport.Result r = check(promoted, "refused");
            ReliabilityReport.print("primary killed, standby promoted, no failover slots (offsetRepository: refused,"
                                    + " health DOWN, start fails)", 1, r.written(), r.delivered(),
                    "n/a: refused, " + r.lost() + " committed after the lost slot not delivered", r.duplicated());
            assertThat(r.delivered()).as("what streamed before the failover arrived").isPositive();
        }
    }

    /** A consumer of the pair's slot, into the sink on the shared server, with a FileStateRepository. */
    private CamelContext startConsumer(String url, String extra, String name, File offsets) throws Exception {
        CamelContext context = consumerContext(url, extra, name, offsets);
        context.start();
        return context;
    }

    private CamelContext consumerContext(String url, String extra, String name, File offsets) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.getRegistry().bind("offsets", FileStateRepository.fileStateRepository(offsets));
        contexts.add(context);
        String uri = "pgreplication:" + slot + "?publication=" + publication + "&url=RAW(" + url + ")&user=postgres"
                     + "&tables=" + table + "&offsetRepository=#offsets&reconnectDelay=100&maxReconnectDelay=1000"
                     + "&batchSize=100&statusInterval=1000" + (extra.isEmpty() ? "" : "&" + extra);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId(name).process(new DurableSink(db.jdbcUrl(), db.user(), db.password(), sink, name));
            }
        });
        return context;
    }

    private File repository(String name) throws Exception {
        return Files.createTempFile(Path.of("target"), "offsets-" + name + "-", ".dat").toFile();
    }

    private void awaitActive(TestDatabase server) {
        Awaitility.await("the consumer streams from " + server.jdbcUrl()).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> "t".equals(server.queryString("SELECT active FROM pg_replication_slots WHERE slot_name"
                                                           + " = '" + slot + "'")));
    }

    /** Stops the writers and waits until the slot on {@code server} is confirmed past their last commit. */
    private void awaitConfirmed(TestDatabase server) {
        workload.close();
        String end = server.queryString("SELECT pg_current_wal_lsn()::text");
        Awaitility.await("slot confirmed past " + end).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> "t".equals(server.queryString("SELECT confirmed_flush_lsn >= '" + end + "'::pg_lsn FROM"
                                                           + " pg_replication_slots WHERE slot_name = '" + slot
                                                           + "'")));
    }

    /**
     * The data check against the surviving server: its source table (the ground truth after the failover) is copied
     * next to the sink, compared, and both are emptied for the next round.
     */
    private ReliabilityReport.Result check(TestDatabase source, String consumer) {
        List<String> rows = source.queryColumn("SELECT id || ',' || seq FROM " + table);
        db.execute("TRUNCATE " + table);
        for (String row : rows) {
            db.execute("INSERT INTO " + table + " VALUES (" + row + ")");
        }
        ReliabilityReport.Result result = ReliabilityReport.check(db, table, sink);
        assertThat(db.queryString("SELECT count(*) FROM " + sink + " WHERE consumer <> '" + consumer + "'"))
                .isEqualTo("0");
        db.execute("TRUNCATE " + table, "TRUNCATE " + sink);
        return result;
    }
}
