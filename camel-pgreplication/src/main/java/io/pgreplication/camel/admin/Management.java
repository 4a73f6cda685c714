package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.table.TableSpec;

/**
 * The SQL of the management producer beyond what {@link ReplicationAdmin} and {@link ReplicationSetup} already do:
 * the status map and advancing a slot. Errors name the problem and the fix.
 */
public final class Management {

    private final Connection connection;
    private final ReplicationAdmin admin;

    public Management(Connection connection) {
        this.connection = connection;
        this.admin = new ReplicationAdmin(connection);
    }

    /**
     * {@code {"slot","plugin","active","activePid","confirmedFlushLsn","restartLsn","retainedWalBytes","walStatus",
     * "publication","publish","tables"}}: the slot's row of pg_replication_slots, the WAL it retains (as the health
     * check reads it: from its restart LSN to the current WAL write position; null on a standby), and the
     * publication's operations and tables. Fields of a missing slot or publication are null ({@code active} false,
     * {@code tables} empty).
     */
    public Map<String, Object> status(String slot, String publication) throws SQLException {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("slot", slot);
        status.put("plugin", null);
        status.put("active", false);
        status.put("activePid", null);
        status.put("confirmedFlushLsn", null);
        status.put("restartLsn", null);
        status.put("retainedWalBytes", null);
        status.put("walStatus", null);
        Optional<SlotInfo> info = admin.slot(slot);
        if (info.isPresent()) {
            SlotInfo i = info.get();
            status.put("plugin", i.plugin());
            status.put("active", i.active());
            status.put("activePid", i.activePid());
            status.put("confirmedFlushLsn", i.confirmedFlushLsn());
            status.put("restartLsn", i.restartLsn());
            status.put("retainedWalBytes", i.retainedWalBytes());
            status.put("walStatus", i.walStatus());
        }
        status.put("publication", publication);
        boolean exists = admin.publicationExists(publication);
        status.put("publish", exists ? List.copyOf(admin.publicationOperations(publication)) : null);
        List<String> tables = new ArrayList<>();
        if (exists) {
            for (TableSpec t : admin.publicationTables(publication)) {
                tables.add(t.toString());
            }
        }
        status.put("tables", tables);
        return status;
    }

    /** Creates the logical pgoutput slot unless it exists; true when it was created. */
    public boolean createSlotIfMissing(String slot) throws SQLException {
        admin.checkServer(slot);
        if (admin.slot(slot).isPresent()) {
            return false;
        }
        admin.createSlot(slot);
        return true;
    }

    /**
     * Moves the slot's confirmed position forward to {@code lsn} (pg_replication_slot_advance, PostgreSQL 11+):
     * every change committed before it is skipped for good. A target at or behind the confirmed position changes
     * nothing (a slot never moves back; PostgreSQL 13+ treat it the same way); returns false then.
     */
    public boolean advanceSlot(String slot, String lsn) throws SQLException {
        if (admin.serverVersion() < 110000) {
            throw new PgReplicationSetupException("slot=" + slot + ": advancing a slot needs PostgreSQL 11 or newer"
                                                  + " (pg_replication_slot_advance)");
        }
        Optional<SlotInfo> info = admin.slot(slot);
        if (info.isEmpty()) {
            throw new PgReplicationSetupException("slot=" + slot + ": cannot advance the slot, it does not exist."
                                                  + " Create it first (operation=createSlot)");
        }
        if (info.get().active() && info.get().activePid() != null) {
            throw new PgReplicationSetupException("slot=" + slot + ": cannot advance the slot, it is in use by "
                                                  + admin.describeBackend(info.get().activePid())
                                                  + ". Stop that consumer first");
        }
        if (info.get().confirmedFlushLsn() != null && !isAfter(lsn, info.get().confirmedFlushLsn())) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT end_lsn::text FROM pg_replication_slot_advance(?, ?::pg_lsn)")) {
            ps.setString(1, slot);
            ps.setString(2, lsn);
            ps.execute();
            return true;
        } catch (SQLException e) {
            if ("22023".equals(e.getSQLState())) {
                // "cannot advance replication slot to X, minimum is Y": slots never move backwards.
                throw new PgReplicationSetupException("slot=" + slot + ": cannot move the slot back to " + lsn
                                                      + "; it is already confirmed at "
                                                      + info.get().confirmedFlushLsn()
                                                      + " and a slot only moves forward", e);
            }
            throw e;
        }
    }

    private boolean isAfter(String lsn, String other) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT ?::pg_lsn > ?::pg_lsn")) {
            ps.setString(1, lsn);
            ps.setString(2, other);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
