package io.pgreplication.camel.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.server.ServerIdentity;

/**
 * A started replication stream and what belongs to it: the server's capabilities and identity, the position it started
 * from, whether values come in binary, how often the client must speak up while routes are busy, the half-open check
 * and the catalog look-ups. Closing it closes the catalog's connection and the replication connection, which ends the
 * stream.
 *
 * @param identity the server and timeline the stream reached; null when not known (tests)
 * @param start    where the stream started: the position asked for, or the slot's own after a failover
 */
record OpenedStream(ReplicationStream stream, ServerCapabilities server, ServerIdentity identity, Lsn start,
        boolean binary, Duration keepalive, Liveness liveness, Catalog catalog, Connection connection)
        implements AutoCloseable {

    @Override
    public void close() throws SQLException {
        try {
            catalog.close();
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }
}
