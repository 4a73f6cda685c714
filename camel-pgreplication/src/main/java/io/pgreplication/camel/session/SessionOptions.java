package io.pgreplication.camel.session;

import java.util.List;

import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.event.OutputFormat;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableSpec;

/**
 * The frozen configuration of one consumer's replication session, validated before it starts.
 *
 * @param binaryValues        ask for binary values; null means "yes on PostgreSQL 14+" (docs/types.md)
 * @param messages            deliver logical decoding messages (PostgreSQL 14+)
 * @param includeColumns      per-table column allow-list
 * @param outputFormat        events or dlt-style rows
 * @param snapshotMode        when to snapshot the tables before streaming
 * @param snapshotParallelism connections reading a snapshot at once
 * @param retainedWalThreshold retained WAL bytes above which the health check reports DOWN; 0 for no limit
 */
public record SessionOptions(ConnectionSettings connection, ReplicationSetup.Request setup, int batchSize,
        long batchTimeoutMillis, boolean flushSlot, long statusIntervalMillis, long reconnectDelayMillis,
        long maxReconnectDelayMillis, Boolean binaryValues, boolean messages, IncludeColumns includeColumns,
        OutputFormat outputFormat, SnapshotMode snapshotMode, int snapshotParallelism,
        long retainedWalThreshold) {

    public String slot() {
        return setup.slot();
    }

    public String publication() {
        return setup.publication();
    }

    /** Tables whose changes are delivered; empty means every table of the publication. */
    public List<TableSpec> tables() {
        return setup.tables();
    }

    /** Whether binary values are requested from a server of this version. */
    public boolean binaryValuesFor(ServerCapabilities server) {
        return server.binaryValues() && (binaryValues == null || binaryValues);
    }
}
