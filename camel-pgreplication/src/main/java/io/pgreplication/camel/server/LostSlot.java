package io.pgreplication.camel.server;

import io.pgreplication.camel.lsn.Lsn;

/**
 * A slot the consumer knows it confirmed on a server, and that the server no longer has: after a failover to a standby
 * that did not synchronize it, or a manual drop. A new slot would start at the server's current position, so every
 * change committed in between would never be delivered; the consumer refuses to make one and says so, with the range
 * and the two ways out (docs/high-availability.md).
 */
public final class LostSlot {

    private LostSlot() {
    }

    /**
     * At start: the offset store records the slot on this server, the server lacks it.
     *
     * @param recorded  the position recorded for the slot on this server
     * @param current   the server's current WAL position: where a new slot would start
     * @param offsetKey the key under which the offsetRepository holds {@code recorded}
     */
    public static PgReplicationSetupException atStart(String slot, Lsn recorded, Lsn current, ServerIdentity server,
                                                      String offsetKey) {
        return error(slot, "the offsetRepository records it confirmed up to " + recorded + " (key " + offsetKey + ")",
                recorded, current, server, clearStored(offsetKey));
    }

    /**
     * While streaming: the slot the session streamed is missing from the server it reached now.
     *
     * @param confirmed the position this consumer confirmed last; null or invalid when not known
     * @param offsetKey the key of the slot in the offsetRepository; null without one
     */
    public static PgReplicationSetupException whileRunning(String slot, Lsn confirmed, Lsn current,
                                                           ServerIdentity server, String offsetKey) {
        boolean known = confirmed != null && confirmed.isValid();
        String accept = offsetKey != null ? clearStored(offsetKey)
                : "restart the route: with createSlot=true it creates the slot at the current position";
        return error(slot, known ? "this consumer streamed it and confirmed it up to " + confirmed
                : "this consumer streamed it", known ? confirmed : null, current, server, accept);
    }

    /**
     * The end of the WARN about a slot made for a publication that already existed (what a lost slot looks like from
     * outside): what would have noticed a lost one.
     */
    public static String unnoticed(OffsetStore offsets) {
        return offsets.isConfigured() ? "The offsetRepository held no position for it on this server"
                : "Set offsetRepository so that a lost slot stops the consumer instead";
    }

    private static String clearStored(String offsetKey) {
        return "clear the stored position (set key " + offsetKey + " to an empty value; for a FileStateRepository"
               + " stop the route and append the line '" + offsetKey + "=' to its file) and start the route: it then"
               + " creates the slot at the current position";
    }

    private static PgReplicationSetupException error(String slot, String known, Lsn confirmed, Lsn current,
                                                     ServerIdentity server, String accept) {
        String range = confirmed == null ? "up to " + current
                : current.isAfter(confirmed) ? "between " + confirmed + " and " + current : "after " + confirmed;
        return new PgReplicationSetupException("slot=" + slot + ": the replication slot does not exist on this"
                                               + " server (" + server.describe() + "), but " + known + ". It was"
                                               + " lost: a failover to a standby that did not synchronize it (that"
                                               + " needs PostgreSQL 17+, failover=true and sync_replication_slots = on"
                                               + " on the standby) or a manual drop. A new slot would start at the"
                                               + " server's current position " + current + ", so the changes committed "
                                               + range + " would never be delivered; the consumer does not create one."
                                               + " Either resynchronise: restart with reset=true&snapshotMode=initial"
                                               + " (a new slot and a snapshot of the tables), or accept the gap: "
                                               + accept);
    }
}
