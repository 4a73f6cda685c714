package io.pgreplication.camel.it.faults;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.pgreplication.camel.PgReplicationConsumer;
import io.pgreplication.camel.it.ReplicationITSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the fault tests: a source table fed by a {@link Workload}, a durable sink table, and the closing data check
 * (every committed change is in the sink) reported through {@link ReliabilityReport}. {@code -Dfaults.rounds=N}
 * (2 in every verify; the faults-long profile uses 25) sets how often each fault is injected.
 */
@Tag("faults")
public abstract class FaultITSupport extends ReplicationITSupport {

    protected static final int ROUNDS = Integer.getInteger("faults.rounds", 2);
    protected String table;
    protected String sink;
    protected Workload workload;

    @BeforeEach
    void tables() {
        table = slot + "_t";
        sink = slot + "_sink";
        Workload.createTables(db, table, sink);
        // Slot and publication exist before the first write, so every change the workload commits is in the slot.
        db.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + table,
                "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    }

    @AfterEach
    void dropTables() {
        if (workload != null) {
            workload.close();
        }
        db.execute("DROP TABLE IF EXISTS " + table, "DROP TABLE IF EXISTS " + sink);
    }

    /** Endpoint options of every fault test: this test's table, quick reconnects. */
    protected String faultUri(String extra) {
        return uri("tables=" + table + "&reconnectDelay=100&maxReconnectDelay=1000&batchSize=100&statusInterval=1000"
                   + (extra.isEmpty() ? "" : "&" + extra));
    }

    protected Workload startWorkload() {
        workload = new Workload(db, table, 3, 20).start();
        return workload;
    }

    /** An in-process context streaming into the sink. */
    protected CamelContext startSinkRoute(String endpointUri, String consumer) throws Exception {
        return start(new RouteBuilder() {
            @Override
            public void configure() {
                from(endpointUri).routeId(consumer)
                        .process(new DurableSink(db.jdbcUrl(), db.user(), db.password(), sink, consumer));
            }
        });
    }

    protected static PgReplicationConsumer consumer(CamelContext context) {
        return (PgReplicationConsumer) context.getRoutes().get(0).getConsumer();
    }

    protected static HealthCheck.Result health(CamelContext context) {
        return consumer(context).getHealthCheck().call();
    }

    /** Waits until the workload committed {@code more} further transactions. */
    protected void writeMore(long more) {
        long target = workload.commits() + more;
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> workload.commits() >= target);
    }

    /** Stops the writers and waits until the slot is confirmed past their last commit. */
    protected void awaitAllConfirmed() {
        workload.close();
        String end = db.queryString("SELECT pg_current_wal_lsn()::text");
        Awaitility.await("slot confirmed past the writers' last commit " + end).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> lsnDiff(confirmed(), end) >= 0);
    }

    /** Waits until {@code process} printed {@code text}. */
    protected static void awaitOutput(ConsumerProcess process, String text) {
        Awaitility.await(text).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> process.output().contains(text));
    }

    /** Waits until {@code consumer} wrote something into this test's sink table. */
    protected void awaitDelivered(String consumer) {
        awaitDelivered(sink, consumer);
    }

    /** Waits until {@code consumer} wrote something into {@code sinkTable}. */
    protected void awaitDelivered(String sinkTable, String consumer) {
        await().until(() -> !"0".equals(db.queryString("SELECT count(*) FROM " + sinkTable + " WHERE consumer = '"
                                                       + consumer + "'")));
    }

    protected static long randomMillis(long min, long max) {
        return ThreadLocalRandom.current().nextLong(min, max);
    }

    /**
     * Stops the writers, waits until the slot is confirmed past everything they wrote (so every change was delivered
     * and completed), then checks the sink, prints the table line and asserts nothing was lost.
     */
    protected ReliabilityReport.Result finish(String fault, int injected) {
        return finish(fault, injected, null);
    }

    /** {@link #finish(String, int)} leaving out the changes of a {@code gap} table (see ReliabilityReport). */
    protected ReliabilityReport.Result finish(String fault, int injected, String gap) {
        awaitAllConfirmed();
        ReliabilityReport.Result result = ReliabilityReport.check(db, table, sink, gap);
        ReliabilityReport.print(fault, injected, result);
        assertThat(result.written()).as("the workload wrote changes").isPositive();
        assertThat(result.lost()).as("committed changes missing from the sink").isZero();
        assertThat(result.delivered()).isEqualTo(result.written());
        return result;
    }
}
