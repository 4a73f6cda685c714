package io.pgreplication.camel.session;

import java.util.List;

import io.pgreplication.camel.admin.ConnectionSettings;
import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.admin.TableSpec;

/**
 * The frozen configuration of one consumer's replication session, validated before it starts.
 */
public record SessionOptions(ConnectionSettings connection, ReplicationSetup.Request setup, int batchSize, long batchTimeoutMillis, boolean flushSlot, long statusIntervalMillis, long reconnectDelayMillis,
        long maxReconnectDelayMillis) {

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
