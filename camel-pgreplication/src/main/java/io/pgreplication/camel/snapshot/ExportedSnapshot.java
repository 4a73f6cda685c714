package io.pgreplication.camel.snapshot;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;

import io.pgreplication.camel.admin.ReplicationCommands;
import io.pgreplication.camel.admin.SlotAdmin;
import io.pgreplication.camel.admin.SnapshotQueries;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ConnectionSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TEMPORARY logical slot created with {@code EXPORT_SNAPSHOT} on a replication connection that stays open and idle:
 * its snapshot is what the tables are read in, its consistent point is where streaming starts. Only when every
 * snapshot batch completed does {@link #persistAs(String, boolean)} copy it into the permanent slot
 * ({@code pg_copy_logical_replication_slot}, PostgreSQL 12+: same restart LSN, same consistent point). Closing the
 * connection drops the temporary slot, so a snapshot cut short by a crash, a kill or a stop leaves no slot behind and
 * the next start takes the snapshot again; nothing is written to the source database.
 */
public final class ExportedSnapshot implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExportedSnapshot.class);

    private final ConnectionSettings settings;
    private final Connection replication;
    private final SnapshotQueries.ExportedSlot slot;

    private ExportedSnapshot(ConnectionSettings settings, Connection replication, SnapshotQueries.ExportedSlot slot) {
        this.settings = settings;
        this.replication = replication;
        this.slot = slot;
    }

    /**
     * Creates the temporary exporting slot. This waits until the transactions running now have finished (the server
     * needs that to find a consistent start), so a long-open transaction delays it.
     */
    public static ExportedSnapshot create(ConnectionSettings settings, String forSlot) throws SQLException {
        Connection replication = settings.openReplication("camel-pgreplication snapshot " + forSlot);
        try {
            String temp = temporaryName(forSlot);
            LOG.info("slot={} creating temporary slot {} with an exported snapshot (waits for running transactions)",
                    forSlot, temp);
            SnapshotQueries.ExportedSlot slot = new SnapshotQueries(replication).createExportingSlot(temp);
            return new ExportedSnapshot(settings, replication, slot);
        } catch (SQLException | RuntimeException e) {
            replication.close();
            throw e;
        }
    }

    /** The temporary slot's name: the slot's (shortened to fit 63 bytes), a marker and a random suffix. */
    static String temporaryName(String forSlot) {
        String base = forSlot.length() > 44 ? forSlot.substring(0, 44) : forSlot;
        return base + "_snapshot_" + String.format("%08x", ThreadLocalRandom.current().nextInt());
    }

    public String snapshotName() {
        return slot.snapshotName();
    }

    public Lsn consistentPoint() {
        return slot.consistentPoint();
    }

    /**
     * Makes the permanent slot from the temporary one, at the same consistent point. With {@code failover}
     * (PostgreSQL 17+) it then gets the failover property, which a temporary slot cannot have and the copy does not
     * carry over; nothing streams the new slot yet, so the command does not wait.
     */
    public void persistAs(String slotName, boolean failover) throws SQLException {
        try (Connection c = settings.openRegular("camel-pgreplication snapshot " + slotName)) {
            new SlotAdmin(c).copy(slot.slotName(), slotName);
        }
        if (failover && !ReplicationCommands.enableFailover(settings, slotName)) {
            LOG.warn("slot={} setting the failover property of the new slot waited more than {} s for another process"
                     + " that took the slot; the server sets it when that process lets go", slotName,
                    ReplicationCommands.ALTER_TIMEOUT.toSeconds());
        }
    }

    /** Closes the replication connection: the temporary slot and the exported snapshot go with it. */
    @Override
    public void close() {
        try {
            replication.close();
        } catch (SQLException e) {
            LOG.debug("closing the snapshot's replication connection: {}", e.getMessage());
        }
    }
}
