package io.pgreplication.camel.session;

import java.time.Duration;
import java.util.List;

import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.server.OffsetStore;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableSpec;

/**
 * The frozen configuration of one consumer's replication session, validated before it starts.
 *
 * @param connection     where and how to connect
 * @param setup          the server objects to check and create
 * @param includeColumns per-table column allow-list
 * @param stream         what the replication stream asks for and how it reports progress
 * @param batching       how changes are grouped into batches
 * @param reconnect      the backoff between attempts
 * @param snapshot       when and how the tables are read before streaming
 * @param offsets        where the confirmed position is recorded outside PostgreSQL ({@link OffsetStore#NONE}: not)
 */
public record SessionOptions(ConnectionSettings connection, ReplicationSetup.Request setup,
        IncludeColumns includeColumns, Stream stream, Batching batching, Reconnect reconnect, Snapshot snapshot,
        OffsetStore offsets) {

    /**
     * @param binaryValues   ask for binary values; null means "yes on PostgreSQL 14+" (docs/types.md)
     * @param messages       deliver logical decoding messages (PostgreSQL 14+)
     * @param flushSlot      confirm the slot as batches complete
     * @param statusInterval how often status updates go to the server
     */
    public record Stream(Boolean binaryValues, boolean messages, boolean flushSlot, Duration statusInterval) {

        /** Whether binary values are requested from this server. */
        public boolean binaryValuesOn(ServerCapabilities server) {
            return server.binaryValues() && (binaryValues == null || binaryValues);
        }
    }

    /**
     * @param size     the most changes in one batch
     * @param maxBytes the most bytes of values (as the server sent them) in one batch, unless a single change is
     *                 larger; also what batches queued for or inside routes hold together
     * @param timeout  how old a partial batch may get while routes are busy
     */
    public record Batching(int size, long maxBytes, Duration timeout) {
    }

    /**
     * @param delay    the first wait before reconnecting; doubles after each failed attempt
     * @param maxDelay the longest wait
     */
    public record Reconnect(Duration delay, Duration maxDelay) {
    }

    /**
     * @param mode        when to snapshot the tables before streaming
     * @param parallelism connections reading a snapshot at once
     */
    public record Snapshot(SnapshotMode mode, int parallelism) {
    }

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
}
