package io.pgreplication.camel.batch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.event.TableShape;
import io.pgreplication.camel.lsn.FlushTracker;

/**
 * Groups changes into per-table batches: a batch closes when it holds {@code batchSize} changes, before a change would
 * take its values past {@code maxBatchBytes} (a single larger change goes alone), when its oldest change is
 * {@code batchTimeout} old, when the table's shape changes, or when the owner calls {@link #closeAll()} (the read loop
 * does when it has read everything the server sent and no route is busy). Across all tables, open batches hold at most
 * {@link #MAX_OPEN_FACTOR} times {@code batchSize} changes and at most {@code maxBatchBytes} bytes; past either the
 * oldest open batch closes. So memory depends on {@code batchSize} and {@code maxBatchBytes}, never on transaction
 * size or row size. Sizes are the wire length of the values, as the assembler reports them. Time comes from an
 * injected nanosecond clock.
 *
 * <p>Closed batches are handed back, in the order they closed, through {@link #nextClosed()}: the owner dispatches
 * them, so nothing blocks or does I/O inside {@link #onChange}. Each batch is registered with the flush tracker when
 * it opens, and commits are passed on to it, so a batch is a claim on the confirmed position from its first change.
 *
 * <p>Not thread-safe: owned by the reading thread.
 */
public final class Batcher implements EventAssembler.Listener {

    /** Open batches of all tables together hold at most this many times batchSize changes. */
    public static final int MAX_OPEN_FACTOR = 4;

    private final int batchSize;
    private final long maxBatchBytes;
    private final long timeoutNanos;
    private final LongSupplier clock;
    private final FlushTracker tracker;
    /**
     * Open batches in the order they were opened, so the oldest is first: a batch's age grows along the map, which
     * lets {@link #closeDue()} and {@link #nanosUntilDue()} stop at the first batch that is not due.
     */
    private final Map<TableShape, Open> open = new LinkedHashMap<>();
    /**
     * The same open batches by table OID: a new shape of a table finds its table's older batch without a scan of every
     * open batch, which with a thousand published tables took a fifth of the reading thread's time.
     */
    private final Map<Integer, Open> openByTable = new HashMap<>();
    /** Closed batches the owner has not taken yet, oldest first. */
    private final ArrayDeque<Batch> closed = new ArrayDeque<>();
    private int buffered;
    private long bufferedBytes;

    /**
     * @param clock nanoseconds, as {@link System#nanoTime()}
     */
    public Batcher(int batchSize, long maxBatchBytes, Duration timeout, LongSupplier clock, FlushTracker tracker) {
        this.batchSize = batchSize;
        this.maxBatchBytes = maxBatchBytes;
        this.timeoutNanos = timeout.toNanos();
        this.clock = clock;
        this.tracker = tracker;
    }

    /** A change of transaction {@code transaction}, {@code bytes} long; may close one or more batches. */
    @Override
    public void onChange(ChangeEvent event, TableShape shape, long transaction, long bytes) {
        while (bufferedBytes > 0 && bufferedBytes + bytes > maxBatchBytes) {
            closeOldest();
        }
        Open batch = open.get(shape);
        if (batch == null) {
            closeOlderShapeOf(shape);
            if (buffered >= batchSize * MAX_OPEN_FACTOR) {
                closeOldest();
            }
            batch = new Open(shape, tracker.open(transaction), clock.getAsLong(), batchSize);
            open.put(shape, batch);
            openByTable.put(shape.metadata().oid(), batch);
        }
        batch.events.add(event);
        batch.bytes += bytes;
        buffered++;
        bufferedBytes += bytes;
        if (batch.events.size() >= batchSize || batch.bytes >= maxBatchBytes) {
            close(batch);
        }
    }

    /** Transaction {@code transaction} committed: passed on to the flush tracker. */
    @Override
    public void onCommit(long transaction, long endLsn) {
        tracker.committed(transaction, endLsn);
    }

    /** True when closed batches wait to be taken. */
    public boolean hasClosed() {
        return !closed.isEmpty();
    }

    /** The oldest closed batch not taken yet, or null. */
    public Batch nextClosed() {
        return closed.poll();
    }

    /** Closes every batch whose oldest change is at least batchTimeout old. */
    public void closeDue() {
        if (open.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        while (!open.isEmpty()) {
            Open oldest = open.values().iterator().next();
            if (now - oldest.openedAt < timeoutNanos) {
                return; // every later batch is younger
            }
            close(oldest);
        }
    }

    /** Closes every open batch, oldest first. */
    public void closeAll() {
        while (!open.isEmpty()) {
            closeOldest();
        }
    }

    /**
     * Forgets every batch not taken yet, open or closed, without finishing its ticket: the stream has ended, so
     * nothing of them may be confirmed, and the server sends their changes again on the next stream.
     */
    public void dropAll() {
        open.clear();
        closed.clear();
        buffered = 0;
        bufferedBytes = 0;
    }

    /** Nanoseconds until the oldest open batch is due, or -1 when nothing is open. */
    public long nanosUntilDue() {
        if (open.isEmpty()) {
            return -1;
        }
        long oldest = open.values().iterator().next().openedAt;
        return Math.max(0, oldest + timeoutNanos - clock.getAsLong());
    }

    /** Changes waiting in open batches (closed batches not taken yet are not counted). */
    public int buffered() {
        return buffered;
    }

    /** Bytes of values waiting in open batches (closed batches not taken yet are not counted). */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    private void closeOlderShapeOf(TableShape shape) {
        Open previous = openByTable.get(shape.metadata().oid());
        if (previous != null) {
            close(previous);
        }
    }

    private void closeOldest() {
        Iterator<Open> it = open.values().iterator();
        if (it.hasNext()) {
            close(it.next());
        }
    }

    private void close(Open batch) {
        open.remove(batch.shape);
        openByTable.remove(batch.shape.metadata().oid());
        buffered -= batch.events.size();
        bufferedBytes -= batch.bytes;
        closed.add(new Batch(batch.shape.metadata(), batch.events, batch.ticket, batch.bytes));
    }

    private static final class Open {
        final TableShape shape;
        final FlushTracker.Ticket ticket;
        final long openedAt;
        final List<ChangeEvent> events;
        long bytes;

        Open(TableShape shape, FlushTracker.Ticket ticket, long openedAt, int capacity) {
            this.shape = shape;
            this.ticket = ticket;
            this.openedAt = openedAt;
            this.events = new ArrayList<>(Math.min(capacity, 1024));
        }
    }
}
