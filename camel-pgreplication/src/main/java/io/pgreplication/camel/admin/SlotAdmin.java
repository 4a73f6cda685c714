package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.server.SlotInvalidation;

/** Replication slots: read, create, copy, advance and drop, on a regular connection. */
public final class SlotAdmin {

    private final Connection connection;

    public SlotAdmin(Connection connection) {
        this.connection = connection;
    }

    public Optional<SlotInfo> slot(String slotName) throws SQLException {
        // to_jsonb keeps the query valid on versions without wal_status (PG < 13), conflicting (< 16), failover,
        // synced and invalidation_reason (< 17). A standby has no current WAL position of its own, so retained bytes
        // are only computed on a primary.
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT slot_name, plugin, slot_type, database, active, active_pid, confirmed_flush_lsn::text,"
                + " restart_lsn::text, to_jsonb(s) ->> 'wal_status', CASE WHEN pg_is_in_recovery() THEN NULL"
                + " ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint END,"
                + " (to_jsonb(s) ->> 'failover')::boolean, (to_jsonb(s) ->> 'synced')::boolean,"
                + " to_jsonb(s) ->> 'invalidation_reason', (to_jsonb(s) ->> 'conflicting')::boolean"
                + " FROM pg_replication_slots s WHERE slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Integer pid = rs.getObject(6, Integer.class);
                Long retained = rs.getObject(10, Long.class);
                String walStatus = rs.getString(9);
                return Optional.of(new SlotInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getBoolean(5), pid, lsn(rs.getString(7)), lsn(rs.getString(8)), walStatus, retained,
                        rs.getObject(11, Boolean.class), rs.getObject(12, Boolean.class),
                        SlotInvalidation.of(rs.getString(13), rs.getObject(14, Boolean.class), walStatus)));
            }
        }
    }

    private static Lsn lsn(String text) {
        return text == null ? null : Lsn.parse(text);
    }

    /**
     * Creates a permanent logical slot for pgoutput; returns its consistent point. With {@code failover} (PostgreSQL
     * 17+ only) standbys that synchronize slots carry it, so it survives their promotion.
     */
    public Lsn create(String slotName, boolean failover) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(failover
                ? "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput', false, false, true)"
                : "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Lsn.parse(rs.getString(1));
            }
        }
    }

    /** Copies a (temporary) logical slot into a permanent one: same restart LSN, same consistent point (PG12+). */
    public void copy(String from, String to) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT lsn::text FROM pg_copy_logical_replication_slot(?, ?, false)")) {
            ps.setString(1, from);
            ps.setString(2, to);
            ps.execute();
        }
    }

    /** Drops the slot if it exists; fails naming the holder while a walsender uses it. */
    public void drop(String slotName) throws SQLException {
        Optional<SlotInfo> slot = slot(slotName);
        if (slot.isEmpty()) {
            return;
        }
        refuseIfActive(slot.get(), "drop", ". Stop that consumer, or run SELECT pg_terminate_backend("
                                          + slot.get().activePid() + ");");
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            ps.setString(1, slotName);
            ps.execute();
        }
    }

    /**
     * Moves the slot's confirmed position forward to {@code target} (pg_replication_slot_advance, PostgreSQL 11+):
     * every change committed before it is skipped for good. A target at or behind the confirmed position changes
     * nothing (a slot never moves back; PostgreSQL 13+ treat it the same way); returns false then.
     */
    public boolean advance(String slotName, Lsn target) throws SQLException {
        if (!ServerCapabilities.of(connection).slotAdvance()) {
            throw new PgReplicationSetupException("slot=" + slotName + ": advancing a slot needs PostgreSQL 11 or newer"
                                                  + " (pg_replication_slot_advance)");
        }
        Optional<SlotInfo> info = slot(slotName);
        if (info.isEmpty()) {
            throw new PgReplicationSetupException("slot=" + slotName + ": cannot advance the slot, it does not exist."
                                                  + " Create it first (operation=createSlot)");
        }
        refuseIfActive(info.get(), "advance", ". Stop that consumer first");
        Lsn confirmed = info.get().confirmedFlushLsn();
        if (confirmed != null && !target.isAfter(confirmed)) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT end_lsn::text FROM pg_replication_slot_advance(?, ?::pg_lsn)")) {
            ps.setString(1, slotName);
            ps.setString(2, target.toString());
            ps.execute();
            return true;
        } catch (SQLException e) {
            if ("22023".equals(e.getSQLState())) {
                // "cannot advance replication slot to X, minimum is Y": slots never move backwards.
                throw new PgReplicationSetupException("slot=" + slotName + ": cannot move the slot back to " + target
                                                      + "; it is already confirmed at " + confirmed
                                                      + " and a slot only moves forward", e);
            }
            throw e;
        }
    }

    /** A slot a walsender streams cannot be changed: fails naming the holder, then {@code fix}. */
    private void refuseIfActive(SlotInfo slot, String action, String fix) throws SQLException {
        if (slot.active() && slot.activePid() != null) {
            throw new PgReplicationSetupException("slot=" + slot.name() + ": cannot " + action + " the slot, it is in"
                                                  + " use by " + new ServerAdmin(connection)
                                                          .describeBackend(slot.activePid()) + fix);
        }
    }
}
