package io.pgreplication.camel.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** WAL positions the demo and the benchmarks wait on, read from the server's own view. */
public final class SlotPosition {

    private SlotPosition() {
    }

    /**
     * The WAL insert position. Not pg_current_wal_lsn(): that is the <em>write</em> position, which under
     * synchronous_commit=off lags the last commits, so an end LSN taken from it stops readers short of the backlog.
     */
    public static long currentLsn(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The slot's confirmed_flush_lsn, or -1 when the slot has none. */
    public static long confirmedFlush(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn - '0/0'::pg_lsn"
                                                       + " FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : -1;
            }
        }
    }
}
