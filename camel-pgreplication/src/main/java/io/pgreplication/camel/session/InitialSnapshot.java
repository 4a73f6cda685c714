package io.pgreplication.camel.session;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.snapshot.ExportedSnapshot;
import io.pgreplication.camel.snapshot.SnapshotReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's initial snapshot (docs/delivery.md): reads the published tables in a temporary slot's exported snapshot,
 * delivers them as snapshot batches through the same dispatcher and flush tracker as streamed batches, and only when
 * every batch completed makes the permanent slot from the temporary one. Anything less (a stop, a failed batch, a
 * crash) leaves no slot, so the next attempt takes the snapshot again.
 */
final class InitialSnapshot {

    private static final Logger LOG = LoggerFactory.getLogger(InitialSnapshot.class);
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The snapshot is one "transaction" of the flush tracker; its end is the consistent point. */
    private static final long SNAPSHOT_TRANSACTION = 1;

    private final SessionOptions options;
    private final BatchDispatcher dispatcher;
    private final BooleanSupplier running;

    InitialSnapshot(SessionOptions options, BatchDispatcher dispatcher, BooleanSupplier running) {
        this.options = options;
        this.dispatcher = dispatcher;
        this.running = running;
    }

    /**
     * Takes the snapshot and creates the slot. Returns the slot's consistent point, or null when the snapshot did not
     * complete (stopped, or a batch failed): then no slot exists and the snapshot is taken again next time.
     */
    Lsn run(ServerCapabilities server, EventAssembler.TableFilter filter) throws SQLException, InterruptedException {
        long started = System.nanoTime();
        try (ExportedSnapshot exported = ExportedSnapshot.create(options.connection(), options.slot())) {
            Lsn point = exported.consistentPoint();
            FlushTracker tracker = new FlushTracker(0);
            SnapshotReader reader = new SnapshotReader(options.connection(), options.slot(), exported.snapshotName(),
                    point, options.snapshotParallelism(), options.batchSize(),
                    () -> !running.getAsBoolean() || tracker.hasFailed());
            SnapshotReader.Summary summary = reader.read(options.publication(), filter::accepts,
                    options.includeColumns(), server, (relation, events) -> {
                        Batch batch = new Batch(relation, events, tracker.open(SNAPSHOT_TRANSACTION));
                        while (!dispatcher.offer(batch, WAIT_NANOS)) {
                            if (!running.getAsBoolean() || tracker.hasFailed()) {
                                return false; // its ticket stays unfinished: the snapshot cannot complete
                            }
                        }
                        return true;
                    });
            if (summary != null) {
                tracker.committed(SNAPSHOT_TRANSACTION, point.value());
            } else {
                dispatcher.discardQueued();
            }
            // Batches already in routes finish either way; only a complete delivery makes the slot.
            while (!dispatcher.awaitIdle(WAIT_NANOS)) {
                if (!running.getAsBoolean()) {
                    dispatcher.discardQueued();
                }
            }
            if (summary == null || tracker.hasFailed() || tracker.confirmed() != point.value()) {
                LOG.warn("slot={} the snapshot did not complete ({}); no slot was made, so the snapshot is taken"
                         + " again on the next attempt", options.slot(),
                        tracker.hasFailed() ? "a snapshot batch failed" : "stopped");
                return null;
            }
            exported.persistAs(options.slot());
            LOG.info("slot={} snapshot complete: {} rows of {} tables in {} ms; created the slot at its consistent"
                     + " point {}", options.slot(), summary.rows(), summary.tables(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), point);
            return point;
        }
    }
}
