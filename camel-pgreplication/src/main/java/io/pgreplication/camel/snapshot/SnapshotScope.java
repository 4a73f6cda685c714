package io.pgreplication.camel.snapshot;

import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableFilter;

/**
 * What a snapshot reads, and how: the tables of {@code publication} that {@code filter} accepts, projected by
 * {@code includeColumns}, read by up to {@code parallelism} connections into batches of at most {@code batchSize} rows
 * and at most {@code maxBatchBytes} bytes of COPY rows (a single larger row goes alone).
 */
public record SnapshotScope(String publication, TableFilter filter, IncludeColumns includeColumns,
        ServerCapabilities server, int parallelism, int batchSize, long maxBatchBytes) {
}
