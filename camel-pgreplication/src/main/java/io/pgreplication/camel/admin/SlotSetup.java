package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.SQLException;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.server.LostSlot;
import io.pgreplication.camel.server.OffsetStore;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.server.ServerIdentity;
import io.pgreplication.camel.table.Identifiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slot part of the setup: finds the slot or makes it (with the failover property where the server has failover
 * slots), and never papers over a lost one. A slot the offset store knows on this server but the server lacks is
 * refused with the range that would be lost; a slot made for a publication that already existed is a WARN with its
 * start position, because a slot of that name may have been lost before.
 */
final class SlotSetup {

    private static final Logger LOG = LoggerFactory.getLogger(SlotSetup.class);

    private final ConnectionSettings settings;
    private final Connection connection;
    private final ServerCapabilities server;
    private final ReplicationSetup.Request request;
    private final OffsetStore offsets;
    private final SlotAdmin slots;
    private ReplicationCommands.Identified identified;

    SlotSetup(ConnectionSettings settings, Connection connection, ServerCapabilities server,
              ReplicationSetup.Request request, OffsetStore offsets) {
        this.settings = settings;
        this.connection = connection;
        this.server = server;
        this.request = request;
        this.offsets = offsets;
        this.slots = new SlotAdmin(connection);
    }

    /** Whether slots made now get the failover property: asked for, and the server has failover slots (17+). */
    boolean failover() {
        return request.failover() && server.failoverSlots();
    }

    /** {@code reset=true}: forgets the recorded position, then drops the slot. */
    void reset() throws SQLException {
        if (offsets.isConfigured()) {
            offsets.clear(request.slot(), identity().systemIdentifier());
        }
        slots.drop(request.slot());
    }

    /**
     * The slot as found or created; null when it is missing and its creation is left to the initial snapshot
     * ({@code slotBySnapshot}).
     *
     * @param publicationExisted the publication existed before this setup: a missing slot may then have been lost
     */
    SlotInfo ensure(boolean slotBySnapshot, boolean publicationExisted) throws SQLException {
        String name = request.slot();
        if (request.failover() && !server.failoverSlots()) {
            LOG.info("slot={} failover=true is ignored: PostgreSQL {} has no failover slots (they need 17+), so the"
                     + " slot does not survive a failover of this server; offsetRepository makes the consumer notice"
                     + " a lost slot", name, server.major());
        }
        SlotInfo slot = slots.slot(name).orElse(null);
        if (slot == null) {
            refuseIfKnown();
            if (!request.createSlot()) {
                throw new PgReplicationSetupException("slot=" + name + ": the replication slot does not exist and"
                                                      + " createSlot=false. Set createSlot=true, or run SELECT"
                                                      + " pg_create_logical_replication_slot("
                                                      + Identifiers.literal(name) + ", 'pgoutput');");
            }
            if (slotBySnapshot) {
                return null;
            }
            Lsn lsn = slots.create(name, failover());
            if (publicationExisted) {
                LOG.warn("slot={} created the replication slot at {}, although publication {} already existed: if a"
                         + " slot of this name existed before (a failover without failover slots, a manual drop), the"
                         + " changes committed between its last confirmed position and {} are not delivered. {}", name,
                        lsn, request.publication(), lsn, LostSlot.unnoticed(offsets));
            } else {
                LOG.info("slot={} created the replication slot at {}{}", name, lsn,
                        failover() ? " with the failover property" : "");
            }
            record(lsn);
            slot = slots.slot(name).orElseThrow();
        }
        checkSlot(slot);
        compareWithRecord(slot);
        ensureFailoverProperty(slot);
        return slot;
    }

    /** The server's identity, read once with {@code IDENTIFY_SYSTEM} on a short replication connection. */
    ServerIdentity identity() throws SQLException {
        return identified().server();
    }

    /** {@code IDENTIFY_SYSTEM}, once: the server's identity and its current WAL position. */
    private ReplicationCommands.Identified identified() throws SQLException {
        if (identified == null) {
            try (Connection replication = settings.openReplication("camel-pgreplication setup " + request.slot())) {
                identified = new ReplicationCommands(replication).identifySystem();
            }
        }
        return identified;
    }

    /** Records a position of the slot made now, so that its loss is noticed even before its first confirmation. */
    void record(Lsn lsn) throws SQLException {
        if (offsets.isConfigured()) {
            offsets.record(request.slot(), identity().systemIdentifier(), lsn);
        }
    }

    private void refuseIfKnown() throws SQLException {
        if (!offsets.isConfigured()) {
            return;
        }
        ServerIdentity id = identity();
        Lsn recorded = offsets.recorded(request.slot(), id.systemIdentifier());
        if (recorded != null) {
            throw LostSlot.atStart(request.slot(), recorded, identified().position(), id,
                    OffsetStore.key(request.slot(), id.systemIdentifier()));
        }
    }

    /**
     * A slot behind the recorded position is normal: the final status update of a stopping consumer may not reach the
     * server, a standby's synchronized copy lags its primary's slot, a restored backup holds an older slot. The changes
     * in between come again; logged at DEBUG.
     */
    private void compareWithRecord(SlotInfo slot) throws SQLException {
        if (!offsets.isConfigured() || slot.confirmedFlushLsn() == null || !LOG.isDebugEnabled()) {
            return;
        }
        Lsn recorded = offsets.recorded(request.slot(), identity().systemIdentifier());
        if (recorded != null && recorded.isAfter(slot.confirmedFlushLsn())) {
            LOG.debug("slot={} the slot is confirmed at {}, behind the {} the offsetRepository records: the changes in"
                      + " between come again", request.slot(), slot.confirmedFlushLsn(), recorded);
        }
    }

    /**
     * A slot made before failover slots were asked for (or by hand) gets the property, so it survives a failover too;
     * not while another process streams it, because the command would wait for that process to let go.
     */
    private void ensureFailoverProperty(SlotInfo slot) throws SQLException {
        if (!failover() || !Boolean.FALSE.equals(slot.failover()) || Boolean.TRUE.equals(slot.synced())) {
            return;
        }
        if (slot.active()) {
            LOG.warn("slot={} the slot lacks the failover property, and another process uses it now, so it is not"
                     + " set; a standby does not synchronize the slot until a later start sets it", request.slot());
            return;
        }
        if (ReplicationCommands.enableFailover(settings, request.slot())) {
            LOG.info("slot={} set the failover property of the existing slot (failover=true): standbys with"
                     + " sync_replication_slots = on synchronize it", request.slot());
        } else {
            LOG.warn("slot={} the slot lacks the failover property, and setting it waited more than {} s for another"
                     + " process that took the slot meanwhile; the server sets it when that process lets go",
                    request.slot(), ReplicationCommands.ALTER_TIMEOUT.toSeconds());
        }
    }

    private void checkSlot(SlotInfo slot) throws SQLException {
        String name = request.slot();
        String database = connection.getCatalog();
        if (!"logical".equals(slot.slotType()) || !"pgoutput".equals(slot.plugin())) {
            throw new PgReplicationSetupException("slot=" + name + ": the slot exists but is a " + slot.slotType()
                                                  + " slot for plugin " + slot.plugin() + "; this component needs a"
                                                  + " logical slot for pgoutput. Use another slot name, or drop it"
                                                  + " (SELECT pg_drop_replication_slot(" + Identifiers.literal(name)
                                                  + ");) or set reset=true");
        }
        if (database != null && slot.database() != null && !database.equals(slot.database())) {
            throw new PgReplicationSetupException("slot=" + name + ": the slot belongs to database " + slot.database()
                                                  + " but url points to database " + database
                                                  + ". Slots are per database: use another slot name");
        }
        if (slot.invalidation() != null) {
            throw slot.invalidation().explain(name, null);
        }
    }
}
