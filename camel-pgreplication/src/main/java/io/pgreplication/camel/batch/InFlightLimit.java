package io.pgreplication.camel.batch;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the batches handed to routes and not finished yet (queued for a route, or inside one): at most
 * {@code maxBatches} at once, so memory stays within that many batches whatever the routes do. Taken by the thread
 * that hands batches out, given back when a route is done with a batch. Thread-safe.
 */
public final class InFlightLimit {

    private final int maxBatches;
    private final Semaphore permits;

    public InFlightLimit(int maxBatches) {
        this.maxBatches = maxBatches;
        this.permits = new Semaphore(maxBatches);
    }

    /** Takes room for {@code batch}, waiting up to {@code timeout}; false when there was none in time. */
    public boolean tryAcquire(Batch batch, Duration timeout) throws InterruptedException {
        return permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Gives back the room of a batch that is done, or that will not be handed to a route after all. */
    public void release(Batch batch) {
        permits.release();
    }

    /** Batches in flight now. */
    public int inFlight() {
        return maxBatches - permits.availablePermits();
    }

    public boolean isIdle() {
        return permits.availablePermits() == maxBatches;
    }

    /** Waits up to {@code timeout} until no batch is in flight; true when none is. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        if (permits.tryAcquire(maxBatches, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            permits.release(maxBatches);
            return true;
        }
        return false;
    }
}
