package io.pgreplication.camel.admin;

import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.server.ServerIdentity;
import io.pgreplication.camel.table.Identifiers;

/**
 * The replication protocol's commands that have no SQL function, on a replication connection: which server and
 * timeline it reached, and the failover property of a slot. They take no bind parameters, so slot names are validated
 * before they go into a command.
 */
public final class ReplicationCommands {

    private final Connection connection;

    /** @param connection a replication connection ({@code ConnectionSettings.openReplication}) */
    public ReplicationCommands(Connection connection) {
        this.connection = connection;
    }

    /** What {@code IDENTIFY_SYSTEM} says: the server's system identifier and current timeline, and its WAL position. */
    public record Identified(ServerIdentity server, Lsn position) {
    }

    /**
     * {@code IDENTIFY_SYSTEM}. Its timeline is current right after a promotion, unlike the last checkpoint's that
     * {@code pg_control_checkpoint()} shows.
     */
    public Identified identifySystem() throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
            return new Identified(new ServerIdentity(rs.getString(1), rs.getInt(2)), Lsn.parse(rs.getString(3)));
        }
    }

    /** How long setting the failover property may wait for a slot another process took meanwhile. */
    public static final Duration ALTER_TIMEOUT = Duration.ofSeconds(10);

    /**
     * On a new replication connection that gives up after {@link #ALTER_TIMEOUT}: gives the slot the failover
     * property. Returns false when the command timed out, because another process streams the slot (the command
     * waits for it to let go, and the server applies it then).
     */
    public static boolean enableFailover(ConnectionSettings settings, String slot) throws SQLException {
        try (Connection replication = settings.openReplication("camel-pgreplication setup " + slot, ALTER_TIMEOUT)) {
            new ReplicationCommands(replication).enableFailover(slot);
            return true;
        } catch (SQLException e) {
            if (e.getCause() instanceof SocketTimeoutException || "08006".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Gives the slot the failover property ({@code ALTER_REPLICATION_SLOT ... (FAILOVER true)}, PostgreSQL 17+), so
     * standbys that synchronize slots carry it. The command waits while another process uses the slot: call it only
     * for a slot that is not in use.
     */
    public void enableFailover(String slot) throws SQLException {
        if (!Identifiers.isValidSlotName(slot)) {
            throw new IllegalArgumentException("Invalid slot name " + slot);
        }
        try (Statement st = connection.createStatement()) {
            st.execute("ALTER_REPLICATION_SLOT " + slot + " (FAILOVER true)");
        }
    }
}
