package io.pgreplication.camel.session;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.snapshot.SnapshotReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the tables of one online backfill, on a worker thread while the stream goes on (docs/delivery.md, "Online
 * backfill"): exports a snapshot through a temporary slot (consistent point S), reads the tables in it like the initial
 * snapshot does, hands the rows to the routes as snapshot batches of the backfill, and once every one of them completed
 * completes the request's guard ticket, which lets the slot be confirmed past the request. A stop leaves the guard
 * unfinished and a failure fails it: either way the request is read again when the stream restarts from the slot's
 * confirmed position, and the backfill is done again. The temporary slot goes with the worker's connection.
 */
final class BackfillSnapshot implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillSnapshot.class);

    private final String slot;
    private final Backfill backfill;
    private final SnapshotSource source;
    private final BatchDispatcher dispatcher;
    private final BooleanSupplier stop;

    /** @param stop true once the stream ends (stopped, or failed): the backfill is then abandoned, to be redone */
    BackfillSnapshot(String slot, Backfill backfill, SnapshotSource source, BatchDispatcher dispatcher,
                     BooleanSupplier stop) {
        this.slot = slot;
        this.backfill = backfill;
        this.source = source;
        this.dispatcher = dispatcher;
        this.stop = stop;
    }

    @Override
    public void run() {
        long started = System.nanoTime();
        try {
            FlushTracker delivered = new FlushTracker(0);
            SnapshotReader.Summary summary;
            Lsn point;
            try (SnapshotSource.Exported exported = source.export()) {
                point = exported.consistentPoint();
                backfill.exported(point);
                LOG.info("slot={} backfill {}: reading the tables in the snapshot at {}", slot, backfill, point);
                summary = exported.offer(dispatcher, delivered, backfill.id(), stop);
            }
            if (summary == null) {
                abandoned(delivered);
                return;
            }
            backfill.allOffered();
            delivered.committed(SnapshotSource.SNAPSHOT_TRANSACTION, point.value());
            while (delivered.confirmed() != point.value() && !delivered.hasFailed() && !stop.getAsBoolean()) {
                LockSupport.parkNanos(SnapshotSource.OFFER_WAIT.toNanos());
            }
            if (delivered.confirmed() != point.value()) {
                abandoned(delivered);
                return;
            }
            backfill.guard().complete();
            if (summary.tables() < backfill.tables().size()) {
                LOG.warn("slot={} backfill {}: {} of the {} tables are not in the publication; they were skipped",
                        slot, backfill, backfill.tables().size() - summary.tables(), backfill.tables().size());
            }
            LOG.info("slot={} backfill {} complete: {} rows of {} tables in {} ms, consistent point {}", slot,
                    backfill.id(), summary.rows(), summary.tables(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), point);
        } catch (Throwable e) {
            LOG.warn("slot={} backfill {} failed: {}", slot, backfill, e.toString());
            backfill.failed(e);
        } finally {
            backfill.end();
        }
    }

    /** Stopped, or a snapshot batch failed: the guard holds the slot before the request, so it is read again. */
    private void abandoned(FlushTracker delivered) {
        if (delivered.hasFailed()) {
            LOG.warn("slot={} backfill {}: a snapshot batch failed; the stream restarts from before the request and"
                     + " the backfill runs again", slot, backfill);
            backfill.guard().fail();
        } else {
            LOG.info("slot={} backfill {} stopped before it completed; it runs again when the stream restarts", slot,
                    backfill);
        }
    }
}
