package io.pgreplication.camel.batch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.TableShape;
import io.pgreplication.camel.lsn.FlushTracker;

/**
 * Groups changes into per-table batches: a batch closes when it holds {@code batchSize} changes, when its
 * oldest change is {@code batchTimeout} old, when the table's shape changes, or when the owner calls
 * {@link #closeAll()} (the session does when it has read everything the server sent and no route is busy). At most {@link #MAX_OPEN_FACTOR} times
 * {@code batchSize} changes wait in open batches across all tables; past that the oldest open batch closes, so memory
 * depends on {@code batchSize}, never on transaction size. Time comes from an injected nanosecond clock.
 *
 * <p>Not thread-safe: owned by the reading thread.
 */
public final class Batcher {

    /** Open batches of all tables together hold at most this many times batchSize changes. */
    public static final int MAX_OPEN_FACTOR = 4;

    private final int batchSize;
    private final long timeoutNanos;
    private final LongSupplier clock;
    private final FlushTracker tracker;
    private final Consumer<Batch> sink;
    /** Open batches in the order they were opened, so the oldest is first. */
    private final Map<TableShape, Open> open = new LinkedHashMap<>();
    private int buffered;

    public Batcher(int batchSize, long timeoutNanos, LongSupplier clock, FlushTracker tracker, Consumer<Batch> sink) {
        this.batchSize = batchSize;
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
        this.tracker = tracker;
        this.sink = sink;
    }

    /** Adds a change of transaction {@code transaction}; may hand one or more closed batches to the sink. */
    public void add(ChangeEvent event, TableShape shape, long transaction) {
        Open batch = open.get(shape);
        if (batch == null) {
            closeOlderShapeOf(shape);
            if (buffered >= batchSize * MAX_OPEN_FACTOR) {
                closeOldest();
            }
            batch = new Open(shape, tracker.open(transaction), clock.getAsLong(), batchSize);
            open.put(shape, batch);
        }
        batch.events.add(event);
        buffered++;
        if (batch.events.size() >= batchSize) {
            close(batch);
        }
    }

    /** Closes every batch whose oldest change is at least batchTimeout old. */
    public void closeDue() {
        if (open.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        Iterator<Open> it = open.values().iterator();
        List<Open> due = null;
        while (it.hasNext()) {
            Open batch = it.next();
            if (now - batch.openedAt >= timeoutNanos) {
                if (due == null) {
                    due = new ArrayList<>();
                }
                due.add(batch);
            }
        }
        if (due != null) {
            due.forEach(this::close);
        }
    }

    /** Closes every open batch, oldest first. */
    public void closeAll() {
        while (!open.isEmpty()) {
            closeOldest();
        }
    }

    /** Nanoseconds until the oldest open batch is due, or -1 when nothing is open. */
    public long nanosUntilDue() {
        long oldest = Long.MAX_VALUE;
        for (Open batch : open.values()) {
            oldest = Math.min(oldest, batch.openedAt);
        }
        return oldest == Long.MAX_VALUE ? -1 : Math.max(0, oldest + timeoutNanos - clock.getAsLong());
    }

    /** Changes waiting in open batches. */
    public int buffered() {
        return buffered;
    }

    private void closeOlderShapeOf(TableShape shape) {
        int oid = shape.metadata().oid();
        Open previous = null;
        for (Open batch : open.values()) {
            if (batch.shape.metadata().oid() == oid) {
                previous = batch;
                break;
            }
        }
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
        buffered -= batch.events.size();
        sink.accept(new Batch(batch.shape.metadata(), batch.events, batch.ticket));
    }

    private static final class Open {
        final TableShape shape;
        final FlushTracker.Ticket ticket;
        final long openedAt;
        final List<ChangeEvent> events;

        Open(TableShape shape, FlushTracker.Ticket ticket, long openedAt, int capacity) {
            this.shape = shape;
            this.ticket = ticket;
            this.openedAt = openedAt;
            this.events = new ArrayList<>(Math.min(capacity, 1024));
        }
    }
}
