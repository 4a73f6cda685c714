package io.pgreplication.camel.session;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.snapshot.SnapshotReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's initial snapshot (docs/delivery.md): reads the published tables in a temporary slot's exported
 * snapshot, delivers them as snapshot batches through the same dispatcher and flush tracker as streamed batches, and
 * only when every batch completed makes the permanent slot from the temporary one. Anything less (a stop, a failed
 * batch, a crash) leaves no slot, so the next attempt takes the snapshot again.
 */
final class InitialSnapshot {

    private static final Logger LOG = LoggerFactory.getLogger(InitialSnapshot.class);

    private final String slot;
    private final SnapshotSource source;
    private final BatchDispatcher dispatcher;
    private final BooleanSupplier running;
    private final boolean failover;

    /** @param failover the slot made at the end gets the failover property (PostgreSQL 17+) */
    InitialSnapshot(String slot, SnapshotSource source, BatchDispatcher dispatcher, BooleanSupplier running,
                    boolean failover) {
        this.slot = slot;
        this.source = source;
        this.dispatcher = dispatcher;
        this.running = running;
        this.failover = failover;
    }

    /**
     * Takes the snapshot and creates the slot. Returns the slot's consistent point, or null when the snapshot did not
     * complete (stopped, or a batch failed): then no slot exists and the snapshot is taken again next time.
     */
    Lsn run() throws SQLException, InterruptedException {
        long started = System.nanoTime();
        try (SnapshotSource.Exported exported = source.export()) {
            Lsn point = exported.consistentPoint();
            FlushTracker tracker = new FlushTracker(0);
            SnapshotReader.Summary summary;
            try {
                summary = exported.offer(dispatcher, tracker, null, () -> !running.getAsBoolean());
            } catch (Throwable e) {
                // The snapshot is taken again (or, after an Error, not at all): what no route started is not delivered.
                dispatcher.discardQueued();
                throw e;
            }
            if (summary != null) {
                tracker.committed(SnapshotSource.SNAPSHOT_TRANSACTION, point.value());
            } else {
                dispatcher.discardQueued();
            }
            // Batches already in routes finish either way; only a complete delivery makes the slot.
            while (!dispatcher.awaitIdle(SnapshotSource.OFFER_WAIT)) {
                if (!running.getAsBoolean()) {
                    dispatcher.discardQueued();
                }
            }
            if (summary == null || tracker.hasFailed() || tracker.confirmed() != point.value()) {
                LOG.warn("slot={} the snapshot did not complete ({}); no slot was made, so the snapshot is taken"
                         + " again on the next attempt", slot, tracker.hasFailed() ? "a snapshot batch failed"
                        : "stopped");
                return null;
            }
            exported.persistAs(slot, failover);
            LOG.info("slot={} snapshot complete: {} rows of {} tables in {} ms; created the slot at its consistent"
                     + " point {}", slot, summary.rows(), summary.tables(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), point);
            return point;
        }
    }
}
