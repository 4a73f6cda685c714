package io.pgreplication.camel.lsn;

import java.util.Map;
import java.util.TreeMap;

/**
 * Decides how far the slot may be confirmed (docs/delivery.md): only to the end LSN of the newest committed transaction such
 * that every batch holding changes of it, or of any earlier transaction, completed without an unhandled failure.
 *
 * <p>Transactions are numbered in stream order by the caller. A batch is registered when it is opened, with the
 * number of the transaction of its first change; since a batch only ever receives changes of that transaction or later
 * ones, a committed transaction {@code t} is fully delivered once no unfinished batch started at or before {@code t}.
 * This keeps the per-change path free of tracking: the tracker is touched once per batch and once per commit.
 *
 * <p>The confirmed position only moves forward. A failed batch stays unfinished, so nothing at or after its first
 * transaction is ever confirmed by this tracker; the session reconnects and the server resends from the confirmed
 * position. Thread-safe: batches complete on route threads while the reading thread opens batches and commits.
 */
public final class FlushTracker {

    /** Committed, not yet confirmed transactions, in commit order: ordinals and end LSNs. */
    private long[] ordinals = new long[64];
    private long[] endLsns = new long[64];
    private int head;
    private int size;

    /** Unfinished batches counted by the ordinal of their first transaction. */
    private final TreeMap<Long, Integer> unfinished = new TreeMap<>();

    private long confirmed;
    private boolean failed;

    /** Starts from the slot's confirmed position, so nothing before it is ever reported again. */
    public FlushTracker(long startLsn) {
        this.confirmed = startLsn;
    }

    /** A batch was opened whose first change belongs to transaction {@code firstTransaction}. */
    public synchronized Ticket open(long firstTransaction) {
        unfinished.merge(firstTransaction, 1, Integer::sum);
        return new Ticket(this, firstTransaction);
    }

    /** Transaction {@code transaction} committed; confirming {@code endLsn} means the server never resends it. */
    public synchronized void committed(long transaction, long endLsn) {
        if (size == ordinals.length) {
            grow();
        }
        int tail = (head + size) % ordinals.length;
        ordinals[tail] = transaction;
        endLsns[tail] = endLsn;
        size++;
        advance();
    }

    synchronized void completed(Ticket ticket) {
        if (ticket.finish()) {
            unfinished.computeIfPresent(ticket.firstTransaction, (k, n) -> n == 1 ? null : n - 1);
            advance();
        }
    }

    synchronized void failed(Ticket ticket) {
        if (ticket.finish()) {
            failed = true;
        }
    }

    /**
     * Nothing is pending and no transaction is open: the server's latest position (its keepalive LSN) may be confirmed,
     * so a slot whose published tables are quiet does not pin WAL. Ignored while anything is unfinished.
     */
    public synchronized void idleAt(long serverLsn) {
        if (!failed && size == 0 && unfinished.isEmpty() && Long.compareUnsigned(serverLsn, confirmed) > 0) {
            confirmed = serverLsn;
        }
    }

    /** The position the slot may be confirmed to; never moves backwards. */
    public synchronized long confirmed() {
        return confirmed;
    }

    public synchronized boolean hasFailed() {
        return failed;
    }

    /** Batches opened and not yet finished (open in the batcher, or in flight in a route). */
    public synchronized int unfinishedBatches() {
        int n = 0;
        for (int count : unfinished.values()) {
            n += count;
        }
        return n;
    }

    private void advance() {
        Map.Entry<Long, Integer> oldest = unfinished.firstEntry();
        long limit = oldest == null ? Long.MAX_VALUE : oldest.getKey();
        while (size > 0 && ordinals[head] < limit) {
            long end = endLsns[head];
            if (Long.compareUnsigned(end, confirmed) > 0) {
                confirmed = end;
            }
            head = (head + 1) % ordinals.length;
            size--;
        }
    }

    private void grow() {
        long[] o = new long[ordinals.length * 2];
        long[] e = new long[endLsns.length * 2];
        for (int i = 0; i < size; i++) {
            o[i] = ordinals[(head + i) % ordinals.length];
            e[i] = endLsns[(head + i) % endLsns.length];
        }
        ordinals = o;
        endLsns = e;
        head = 0;
    }

    /** One batch's claim on the confirmed position; finishes once, as completed or failed. */
    public static final class Ticket {
        private final FlushTracker tracker;
        private final long firstTransaction;
        private boolean finished;

        private Ticket(FlushTracker tracker, long firstTransaction) {
            this.tracker = tracker;
            this.firstTransaction = firstTransaction;
        }

        /** The batch was delivered: the route completed, or its error handler handled the failure. */
        public void complete() {
            tracker.completed(this);
        }

        /** The batch failed and nobody handled it: nothing from its first transaction on may be confirmed. */
        public void fail() {
            tracker.failed(this);
        }

        /** True once any batch of the same stream failed: later batches need not be delivered any more. */
        public boolean streamFailed() {
            return tracker.hasFailed();
        }

        private boolean finish() {
            if (finished) {
                return false;
            }
            finished = true;
            return true;
        }
    }
}
