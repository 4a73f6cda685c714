package io.pgreplication.camel.session;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.batch.Batcher;
import io.pgreplication.camel.lsn.FlushTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the read loop's batches leave it: hands the closed ones to the routes, oldest first, keeping the connection
 * alive while the routes have no room, and pauses the reading while too many changes of tables being backfilled are
 * held. The reading thread's only.
 */
final class BatchHandOff {

    private static final Logger LOG = LoggerFactory.getLogger(BatchHandOff.class);
    private static final long PAUSE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final String slot;
    private final Backfills backfills;
    private final Batcher batcher;
    private final BatchDispatcher dispatcher;
    private final StatusReporter status;
    private final FlushTracker tracker;
    private final BooleanSupplier running;
    private final Duration keepalive;

    /** @param keepalive how long the routes may keep the reader from talking to the server */
    BatchHandOff(String slot, Backfills backfills, Batcher batcher, BatchDispatcher dispatcher, StatusReporter status,
                 FlushTracker tracker, BooleanSupplier running, Duration keepalive) {
        this.slot = slot;
        this.backfills = backfills;
        this.batcher = batcher;
        this.dispatcher = dispatcher;
        this.status = status;
        this.tracker = tracker;
        this.running = running;
        this.keepalive = keepalive;
    }

    /** Hands every closed batch to the routes, oldest first; false when the loop must end instead. */
    boolean handOffClosed() throws SQLException {
        Batch batch;
        while ((batch = backfills.poll()) != null) {
            if (!handOff(batch)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Too many changes of tables being backfilled are held: stops reading until the running backfill's snapshot is
     * out, keeping the connection alive and the other tables' open batches moving. False when the loop must end.
     */
    boolean awaitBackfill() throws SQLException {
        LOG.debug("slot={} the backfilled tables' held changes reached the limit; reading pauses", slot);
        long lastStatus = System.nanoTime();
        while (backfills.mustPause()) {
            if (!running.getAsBoolean() || tracker.hasFailed() || backfills.failure() != null) {
                return false;
            }
            backfills.step();
            batcher.closeDue();
            if (backfills.hasReady() && !handOffClosed()) {
                return false;
            }
            if (System.nanoTime() - lastStatus > keepalive.toNanos()) {
                status.keepAlive();
                lastStatus = System.nanoTime();
            } else {
                status.report();
            }
            LockSupport.parkNanos(PAUSE_PARK_NANOS);
        }
        return true;
    }

    /** Hands a batch to the routes, keeping the connection alive while they have no room. */
    private boolean handOff(Batch batch) throws SQLException {
        try {
            while (!dispatcher.offer(batch, keepalive)) {
                LOG.trace("slot={} routes are busy; keeping the connection alive while waiting", slot);
                if (!running.getAsBoolean() || tracker.hasFailed()) {
                    return false;
                }
                status.keepAlive();
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
