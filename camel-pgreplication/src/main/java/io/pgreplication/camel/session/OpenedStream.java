package io.pgreplication.camel.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import io.pgreplication.camel.server.ServerCapabilities;

/**
 * A started replication stream and what belongs to it: the server's capabilities, whether values come in binary, how
 * often the client must speak up while routes are busy, the half-open check and the catalog look-ups. Closing it
 * closes the catalog's connection and the replication connection, which ends the stream.
 */
record OpenedStream(ReplicationStream stream, ServerCapabilities server, boolean binary, Duration keepalive,
        Liveness liveness, Catalog catalog, Connection connection) implements AutoCloseable {

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
