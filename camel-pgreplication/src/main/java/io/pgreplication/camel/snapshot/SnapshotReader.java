package io.pgreplication.camel.snapshot;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import io.pgreplication.camel.admin.PublicationAdmin;
import io.pgreplication.camel.admin.SnapshotQueries;
import io.pgreplication.camel.admin.TableCatalog;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeInfo;
import io.pgreplication.camel.value.TypeLookup;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every published table inside an exported snapshot, in parallel: {@code parallelism} connections
 * import the same snapshot and take chunks from one queue. Big tables are split into CTID page ranges, read with a
 * TID range scan (PostgreSQL 14+); older servers have no TID range scan, so a range predicate would scan the whole
 * table per chunk, and each table is read whole there (parallel across tables only). Rows stream through
 * {@code COPY ... TO STDOUT} and leave as batches of at most {@code batchSize} events and at most
 * {@code maxBatchBytes} bytes of COPY rows (a batch is handed over before a row would take it past that; a single
 * larger row goes alone); a worker waits while the sink is full, so memory is bounded by batchSize and maxBatchBytes
 * per worker, never by table size or row size.
 */
public final class SnapshotReader {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReader.class);
    /** Pages below which a table is read in one piece (4 MB at the default 8 kB block size). */
    static final long MIN_CHUNK_PAGES = 512;
    /** Chunks per worker a big table is cut into, so workers finish at about the same time. */
    private static final int CHUNKS_PER_WORKER = 4;

    /**
     * Receives snapshot batches and the bytes of the COPY rows they were decoded from; may block for back-pressure.
     * Returns false to make the snapshot stop.
     */
    @FunctionalInterface
    public interface Sink {
        boolean accept(RelationMetadata relation, List<ChangeEvent> events, long bytes) throws InterruptedException;
    }

    /** What a finished snapshot read. */
    public record Summary(int tables, long rows, int chunks) {
    }

    private final ConnectionSettings settings;
    private final String slot;
    private final String snapshotName;
    private final Lsn consistentPoint;
    private final Executor executor;
    private final BooleanSupplier stopRequested;

    /**
     * @param executor      runs the workers beyond the caller's thread (Camel's thread pools, given by the Camel side)
     * @param stopRequested polled by the workers: true makes them stop early (the snapshot then counts as not done)
     */
    public SnapshotReader(ConnectionSettings settings, String slot, ExportedSnapshot exported, Executor executor,
                          BooleanSupplier stopRequested) {
        this.settings = settings;
        this.slot = slot;
        this.snapshotName = exported.snapshotName();
        this.consistentPoint = exported.consistentPoint();
        this.executor = executor;
        this.stopRequested = stopRequested;
    }

    /**
     * Reads the tables of {@code scope} into {@code sink}. Returns when every row was handed over; returns null when
     * stopped early (by {@code stopRequested} or the sink).
     */
    public Summary read(SnapshotScope scope, Sink sink) throws SQLException, InterruptedException {
        int parallelism = scope.parallelism();
        Connection first = settings.openRegular("camel-pgreplication snapshot " + slot);
        Queue<Chunk> chunks;
        List<SnapshotTable> tables = new ArrayList<>();
        try {
            SnapshotQueries queries = new SnapshotQueries(first);
            queries.beginInSnapshot(snapshotName);
            List<TableSpec> names = new ArrayList<>();
            for (PublicationAdmin.PublishedRelation r
                    : new PublicationAdmin(first, scope.server()).publishedRelations(scope.publication())) {
                if (scope.filter().accepts(r.oid(), r.table().schema(), r.table().table())) {
                    names.add(r.table());
                }
            }
            queries.lockForRead(names);
            TableCatalog catalog = new TableCatalog(first, scope.server());
            Map<Integer, TypeInfo> types = new HashMap<>();
            TypeLookup lookup = oid -> types.computeIfAbsent(oid, o -> {
                try {
                    return catalog.type(o);
                } catch (SQLException e) {
                    throw new IllegalStateException("slot=" + slot + ": cannot read type " + o + " from the catalog",
                            e);
                }
            });
            for (TableSpec t : names) {
                tables.add(new SnapshotTable(catalog.describePublished(scope.publication(), t),
                        scope.includeColumns(), lookup));
            }
            chunks = plan(queries, tables, scope.server().tidRangeScans(), parallelism);
        } catch (SQLException | RuntimeException e) {
            first.close();
            throw e;
        }
        int chunkCount = chunks.size();
        LOG.info("slot={} snapshot {} at {}: {} tables in {} chunks, {} connections", slot, snapshotName,
                consistentPoint, tables.size(), chunkCount, Math.min(parallelism, Math.max(1, chunkCount)));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong rows = new AtomicLong();
        Run run = new Run(chunks, sink, failure, rows, scope.batchSize(), scope.maxBatchBytes());
        int helpers = Math.max(0, Math.min(parallelism, chunkCount) - 1);
        CountDownLatch helpersDone = new CountDownLatch(helpers);
        for (int i = 0; i < helpers; i++) {
            try {
                executor.execute(() -> {
                    try {
                        run.work(null);
                    } finally {
                        helpersDone.countDown();
                    }
                });
            } catch (RejectedExecutionException e) {
                failure.compareAndSet(null, e);
                helpersDone.countDown();
            }
        }
        run.work(first);
        helpersDone.await();
        Throwable error = failure.get();
        if (error instanceof SQLException e) {
            throw e;
        }
        if (error instanceof RuntimeException e) {
            throw e;
        }
        if (error instanceof Error e) {
            throw e; // an OutOfMemoryError of a worker is the caller's to see as it is, never a retryable failure
        }
        if (error != null) {
            throw new IllegalStateException(error);
        }
        return run.stopped ? null : new Summary(tables.size(), rows.get(), chunkCount);
    }

    /** Cuts tables into chunks: big ones into CTID page ranges when the server has TID range scans. */
    private static Queue<Chunk> plan(SnapshotQueries queries, List<SnapshotTable> tables, boolean tidRanges,
                                     int parallelism) throws SQLException {
        Queue<Chunk> chunks = new ConcurrentLinkedQueue<>();
        for (SnapshotTable table : tables) {
            for (TableSpec source : table.sources()) {
                long pages = tidRanges ? queries.pages(source) : 0;
                long size = Math.max(MIN_CHUNK_PAGES, -Math.floorDiv(-pages, (long) parallelism * CHUNKS_PER_WORKER));
                if (pages < 2 * size) {
                    chunks.add(new Chunk(table, source, -1, -1));
                    continue;
                }
                for (long from = 0; from < pages; from += size) {
                    // The last chunk stays open-ended; -1 leaves a side of the range unbounded.
                    boolean last = from + size >= pages;
                    chunks.add(new Chunk(table, source, from == 0 ? -1 : from, last ? -1 : from + size));
                }
            }
        }
        return chunks;
    }

    /** A table's relation, or a page range of it. */
    private record Chunk(SnapshotTable table, TableSpec source, long fromPage, long toPage) {
    }

    /** The shared state of one read: the chunk queue, the first failure, the row count. */
    private final class Run {
        private final Queue<Chunk> chunks;
        private final Sink sink;
        private final AtomicReference<Throwable> failure;
        private final AtomicLong rows;
        private final int batchSize;
        private final long maxBatchBytes;
        private volatile boolean stopped;

        Run(Queue<Chunk> chunks, Sink sink, AtomicReference<Throwable> failure, AtomicLong rows, int batchSize,
            long maxBatchBytes) {
            this.chunks = chunks;
            this.sink = sink;
            this.failure = failure;
            this.rows = rows;
            this.batchSize = batchSize;
            this.maxBatchBytes = maxBatchBytes;
        }

        boolean mustStop() {
            if (failure.get() != null) {
                return true;
            }
            if (stopRequested.getAsBoolean()) {
                stopped = true;
            }
            return stopped;
        }

        /** Takes chunks until none is left; {@code connection} is already in the snapshot, or null to open one. */
        void work(Connection connection) {
            Connection c = connection;
            try {
                if (c == null) {
                    c = settings.openRegular("camel-pgreplication snapshot " + slot);
                    new SnapshotQueries(c).beginInSnapshot(snapshotName);
                }
                Chunk chunk;
                while (!mustStop() && (chunk = chunks.poll()) != null) {
                    read(c, chunk);
                }
                if (!mustStop()) {
                    new SnapshotQueries(c).commit();
                }
            } catch (InterruptedException e) {
                stopped = true;
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                close(c);
            }
        }

        private void read(Connection c, Chunk chunk) throws SQLException, InterruptedException {
            SnapshotTable table = chunk.table();
            String sql = table.copyStatement(chunk.source(), chunk.fromPage(), chunk.toPage());
            LOG.debug("slot={} snapshot reads {}", slot, sql);
            CopyOut copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
            byte[][] values = new byte[table.columnCount()][];
            List<ChangeEvent> batch = new ArrayList<>(Math.min(batchSize, 1024));
            long bytes = 0;
            long count = 0;
            byte[] row;
            boolean first = true;
            while ((row = copy.readFromCopy()) != null) {
                if (table.binary()) {
                    boolean isRow = CopyBinary.split(row, first, values);
                    first = false;
                    if (!isRow) {
                        continue; // the header alone, or the trailer
                    }
                } else {
                    CopyText.split(row, values);
                }
                if (!batch.isEmpty() && bytes + row.length > maxBatchBytes) {
                    if (!hand(table, batch, bytes)) {
                        copy.cancelCopy();
                        return;
                    }
                    count += batch.size();
                    batch = new ArrayList<>(Math.min(batchSize, 1024));
                    bytes = 0;
                }
                batch.add(table.event(values, consistentPoint.value()));
                bytes += row.length;
                if (batch.size() >= batchSize || bytes >= maxBatchBytes) {
                    if (!hand(table, batch, bytes)) {
                        copy.cancelCopy();
                        return;
                    }
                    count += batch.size();
                    batch = new ArrayList<>(Math.min(batchSize, 1024));
                    bytes = 0;
                }
            }
            if (!batch.isEmpty()) {
                if (!hand(table, batch, bytes)) {
                    return;
                }
                count += batch.size();
            }
            rows.addAndGet(count);
        }

        private boolean hand(SnapshotTable table, List<ChangeEvent> batch, long bytes) throws InterruptedException {
            if (mustStop()) {
                return false;
            }
            if (!sink.accept(table.metadata(), batch, bytes)) {
                stopped = true;
                return false;
            }
            return true;
        }

        private void close(Connection c) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    LOG.debug("slot={} closing a snapshot connection: {}", slot, e.getMessage());
                }
            }
        }
    }
}
