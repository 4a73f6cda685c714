package io.pgreplication.camel;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.admin.PublicationAdmin;
import io.pgreplication.camel.admin.SlotAdmin;
import io.pgreplication.camel.admin.SlotInfo;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.server.ServerCapabilities;

/**
 * Reads the slot's row of pg_replication_slots, and whether the publication exists, for the health check, JMX and the
 * dev console, at most once a second however often they ask, on a regular connection of its own (opened on first use,
 * reopened after an error).
 */
final class SlotMonitor implements AutoCloseable {

    private static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * What the last read found: the slot (null when missing or unreadable), whether the publication exists (true when
     * unread) and the error, if any.
     */
    record Reading(SlotInfo slot, boolean publicationExists, Exception error) {
    }

    private final ConnectionSettings settings;
    private final String slotName;
    private final String publication;
    private Connection connection;
    private Reading last;
    private long readAt;

    SlotMonitor(ConnectionSettings settings, String slotName, String publication) {
        this.settings = settings;
        this.slotName = slotName;
        this.publication = publication;
    }

    synchronized Reading read() {
        if (last != null && System.nanoTime() - readAt < MAX_AGE_NANOS) {
            return last;
        }
        try {
            if (connection == null || connection.isClosed()) {
                connection = settings.openRegular("camel-pgreplication monitor " + slotName);
            }
            last = new Reading(new SlotAdmin(connection).slot(slotName).orElse(null),
                    new PublicationAdmin(connection, ServerCapabilities.of(connection)).publicationExists(publication),
                    null);
        } catch (SQLException e) {
            closeQuietly();
            last = new Reading(null, true, e);
        }
        readAt = System.nanoTime();
        return last;
    }

    @Override
    public synchronized void close() {
        closeQuietly();
        last = null;
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // the connection is gone either way
            }
            connection = null;
        }
    }
}
