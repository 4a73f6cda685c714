package io.pgreplication.camel.snapshot;

import java.io.Closeable;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ConnectionSettings;

/**
 * A snapshot of the published tables as a lazy iterator of batches (the management producer's {@code snapshot}):
 * a temporary slot exports the snapshot, a background reader fills a queue of at most {@link #QUEUED} batches and
 * waits while it is full, so memory stays bounded by batchSize however the caller consumes it. The temporary slot and
 * the connections are released when the iterator is exhausted, fails or is closed. No slot is left behind.
 */
public final class SnapshotBatches implements Iterator<SnapshotBatches.Item>, Closeable {

    /** Batches read ahead of the consumer. */
    static final int QUEUED = 4;
    private static final Object END = new Object();

    /** One batch: rows of one table. */
    public record Item(RelationMetadata relation, List<ChangeEvent> events) {
    }

    private final ExportedSnapshot exported;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUED + 1);
    /** Counted down when the background read has ended. */
    private final CountDownLatch readEnded = new CountDownLatch(1);
    private volatile boolean closed;
    private Object next;

    private SnapshotBatches(ExportedSnapshot exported) {
        this.exported = exported;
    }

    /**
     * Exports a snapshot and starts reading it on {@code executor}, which also runs the parallel readers; the first
     * batches are ready soon after.
     */
    public static SnapshotBatches start(ConnectionSettings settings, String slot, SnapshotScope scope,
                                        Executor executor) throws SQLException {
        ExportedSnapshot exported = ExportedSnapshot.create(settings, slot);
        SnapshotBatches batches = new SnapshotBatches(exported);
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
            reader.read(scope, (relation, events) -> {
                Item item = new Item(relation, events);
                while (!queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    if (closed) {
                        return false;
                    }
                }
                return true;
            });
        } catch (Throwable e) {
            last = e;
        }
        try {
            while (!closed && !queue.offer(last, 100, TimeUnit.MILLISECONDS)) {
                // wait for room, unless the consumer gave up
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean hasNext() {
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
