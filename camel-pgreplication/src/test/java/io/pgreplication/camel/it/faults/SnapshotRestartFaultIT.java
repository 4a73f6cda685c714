package io.pgreplication.camel.it.faults;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL restarted while the initial snapshot runs: the snapshot must be taken again from the start and
 * the stream must continue after it, with writers busy the whole time. One injection per test: a snapshot happens
 * once per slot.
 */
class SnapshotRestartFaultIT extends FaultITSupport {

    private static final int PRELOADED = 30_000;

    @Test
    void aFastRestartWhileSnapshottingRedoesTheSnapshotAndLosesNothing() throws Exception {
        restartDuringSnapshot("fast");
    }

    @Test
    void anImmediateRestartWhileSnapshottingRedoesTheSnapshotAndLosesNothing() throws Exception {
        restartDuringSnapshot("immediate");
    }

    private void restartDuringSnapshot(String mode) throws Exception {
        OwnedServer server = new OwnedServer(db);
        // The consumer makes the slot itself, from its snapshot; the preloaded keys only reach it by the snapshot.
        db.execute("SELECT pg_drop_replication_slot('" + slot + "')",
                "INSERT INTO " + table + " SELECT g, 1 FROM generate_series(1000, " + (1000 + PRELOADED - 1) + ") g");
        startWorkload();
        writeMore(50);
        DurableSink durable = new DurableSink(db.jdbcUrl(), db.user(), db.password(), sink, "snapshot");
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                // A little slower than the sink alone, so the restart lands inside the snapshot.
                from(faultUri("snapshotMode=initial&snapshotParallelism=2")).routeId("snapshot")
                        .process(durable).delay(10);
            }
        });
        await().until(() -> preloadedInSink() > 0);
        assertThat(db.queryColumn("SELECT slot_name FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .as("the slot is made only when the snapshot completes").isEmpty();
        server.restart(mode);

        await().atMost(java.time.Duration.ofMinutes(3)).until(() -> consumer(context).isStreaming());
        writeMore(100);
        awaitAllConfirmed();
        assertThat(preloadedInSink()).as("the interrupted snapshot was taken again from the start")
                .isGreaterThan(PRELOADED);
        ReliabilityReport.Result result = ReliabilityReport.checkAfterSnapshot(db, table, sink);
        ReliabilityReport.print("PostgreSQL restart -m " + mode + " while snapshotting", 1, result);
        assertThat(result.written()).isPositive();
        assertThat(result.lost()).as("changes missing from the sink").isZero();
    }

    private long preloadedInSink() {
        return Long.parseLong(db.queryString("SELECT count(*) FROM " + sink + " WHERE id >= 1000"));
    }
}
