package io.pgreplication.camel.batch;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds what has been handed out and is not finished yet (batches queued for a route or inside one): at most
 * {@code maxBatches} batches and at most {@code maxBytes} bytes together. A batch that does not fit waits until it
 * fits, or until nothing else is in flight: so a batch larger than {@code maxBytes} (a single oversized change) goes
 * alone, and what is in flight never exceeds {@code maxBytes} or that one batch. Taken by the thread that hands
 * batches out, given back when a route is done with a batch. Thread-safe.
 */
public final class InFlightLimit {

    private final int maxBatches;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int batches;
    private long bytes;

    public InFlightLimit(int maxBatches, long maxBytes) {
        this.maxBatches = maxBatches;
        this.maxBytes = maxBytes;
    }

    /** Takes room for {@code batch}, waiting up to {@code timeout}; false when there was none in time. */
    public boolean tryAcquire(Batch batch, Duration timeout) throws InterruptedException {
        return tryAcquire(batch.bytes(), timeout);
    }

    /** Takes room for one batch of {@code size} bytes, waiting up to {@code timeout}; false when there was none. */
    public boolean tryAcquire(long size, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (!fits(size)) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            batches++;
            bytes += size;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back the room of a batch that is done, or that will not be handed to a route after all. */
    public void release(Batch batch) {
        release(batch.bytes());
    }

    /** Gives back the room of one batch of {@code size} bytes. */
    public void release(long size) {
        lock.lock();
        try {
            batches--;
            bytes -= size;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Batches in flight now. */
    public int inFlight() {
        lock.lock();
        try {
            return batches;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of the batches in flight now. */
    public long inFlightBytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    public boolean isIdle() {
        return inFlight() == 0;
    }

    /** Waits up to {@code timeout} until no batch is in flight; true when none is. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (batches > 0) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean fits(long size) {
        return batches == 0 || batches < maxBatches && bytes + size <= maxBytes;
    }
}
