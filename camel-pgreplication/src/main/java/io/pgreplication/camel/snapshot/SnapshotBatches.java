package io.pgreplication.camel.snapshot;

import java.io.Closeable;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.batch.InFlightLimit;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ConnectionSettings;

/**
 * A snapshot of the published tables as a lazy iterator of batches (the management producer's {@code snapshot}):
 * a temporary slot exports the snapshot, a background reader fills a queue and waits while it is full. The batches
 * queued and the one the caller was last given (until it asks for the next) are at most {@link #QUEUED} and hold at
 * most {@code maxBatchBytes} together, or are one larger batch alone, so memory stays bounded by batchSize and
 * maxBatchBytes however the caller consumes it. The temporary slot and the connections are released when the
 * iterator is exhausted, fails or is closed. No slot is left behind.
 */
public final class SnapshotBatches implements Iterator<SnapshotBatches.Item>, Closeable {

    /** Batches read ahead of the consumer, the one it holds included. */
    static final int QUEUED = 4;
    private static final Object END = new Object();
    private static final Duration WAIT = Duration.ofMillis(100);

    /** One batch: rows of one table, decoded from {@code bytes} bytes of COPY rows. */
    public record Item(RelationMetadata relation, List<ChangeEvent> events, long bytes) {
    }

    private final ExportedSnapshot exported;
    /** Items, then END or the failure; {@link #room} bounds the items. */
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final InFlightLimit room;
    /** The bytes of the item the caller was given last, until it asks for the next; -1 for none. */
    private long held = -1;
    /** Counted down when the background read has ended. */
    private final CountDownLatch readEnded = new CountDownLatch(1);
    private volatile boolean closed;
    private Object next;

    private SnapshotBatches(ExportedSnapshot exported, long maxBatchBytes) {
        this.exported = exported;
        this.room = new InFlightLimit(QUEUED, maxBatchBytes);
    }

    /**
     * Exports a snapshot and starts reading it on {@code executor}, which also runs the parallel readers; the first
     * batches are ready soon after.
     */
    public static SnapshotBatches start(ConnectionSettings settings, String slot, SnapshotScope scope,
                                        Executor executor) throws SQLException {
        ExportedSnapshot exported = ExportedSnapshot.create(settings, slot);
        SnapshotBatches batches = new SnapshotBatches(exported, scope.maxBatchBytes());
        SnapshotReader reader = new SnapshotReader(settings, slot, exported, executor, () -> batches.closed);
        try {
            executor.execute(() -> batches.read(reader, scope));
        } catch (RuntimeException e) {
            exported.close();
            throw e;
        }
        return batches;
    }

    /** The consistent point of the snapshot: the LSN from which streaming would continue it. */
    public Lsn consistentPoint() {
        return exported.consistentPoint();
    }

    private void read(SnapshotReader reader, SnapshotScope scope) {
        try {
            readInto(reader, scope);
        } finally {
            readEnded.countDown();
        }
    }

    private void readInto(SnapshotReader reader, SnapshotScope scope) {
        Object last = END;
        try {
            reader.read(scope, (relation, events, bytes) -> {
                while (!room.tryAcquire(bytes, WAIT)) {
                    if (closed) {
                        return false;
                    }
                }
                queue.add(new Item(relation, events, bytes));
                return true;
            });
        } catch (Throwable e) {
            last = e;
        }
        queue.add(last);
    }

    @Override
    public boolean hasNext() {
        if (held >= 0) {
            room.release(held); // the caller is done with the batch it was given
            held = -1;
        }
        if (next == null && !closed) {
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("Interrupted while waiting for the next snapshot batch", e);
            }
        }
        if (next == END || closed) {
            close();
            return false;
        }
        if (next instanceof Throwable e) {
            close();
            throw new IllegalStateException("The snapshot failed: " + e.getMessage(), e);
        }
        return true;
    }

    @Override
    public Item next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Item item = (Item) next;
        next = null;
        held = item.bytes();
        return item;
    }

    /** Stops reading and drops the temporary slot; safe to call more than once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.clear();
        try {
            readEnded.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exported.close();
    }
}
