package io.pgreplication.camel.server;

import java.sql.SQLException;
import java.util.Locale;

/**
 * Why PostgreSQL invalidated a replication slot, and the fix for each cause. An invalidated slot can never be streamed
 * again: the changes since its confirmed position are gone from it. PostgreSQL reports it with SQLSTATE 55000 in three
 * wordings: "cannot read from logical replication slot" (13–15, START_REPLICATION), "can no longer get changes from
 * replication slot" (13–17; 16–17 tell "exceeded the maximum reserved size" from "conflicting with recovery" in the
 * detail) and "can no longer access replication slot" (18, detail {@code invalidated due to "<cause>"});
 * {@code pg_replication_slots} names the cause in {@code invalidation_reason} (17+), {@code conflicting} (16) or
 * {@code wal_status = 'lost'} (13+).
 */
public enum SlotInvalidation {

    /** The server removed WAL the slot still needed. */
    WAL_REMOVED("wal_removed", "the server removed WAL the slot still needed (max_slot_wal_keep_size was exceeded"
                               + " while the consumer lagged or was stopped)",
            "raise max_slot_wal_keep_size (-1: no limit) or watch retainedWalThreshold so that it does not happen"
            + " again"),
    /** A slot on a standby lost rows it needed to VACUUM on the primary. */
    ROWS_REMOVED("rows_removed", "VACUUM on the primary removed catalog rows the slot still needed (a conflict with"
                                 + " recovery on a standby)",
            "on the standby set hot_standby_feedback = on and a primary_slot_name, so the primary keeps those rows"),
    /** The primary's wal_level went below logical. */
    WAL_LEVEL_INSUFFICIENT("wal_level_insufficient", "the primary's wal_level was lowered below logical, so its WAL"
                                                     + " no longer carries what logical decoding needs",
            "set wal_level = logical on the primary (ALTER SYSTEM SET wal_level = logical; and restart it)"),
    /** The slot stayed unused longer than idle_replication_slot_timeout (PostgreSQL 18). */
    IDLE_TIMEOUT("idle_timeout", "the slot stayed inactive longer than idle_replication_slot_timeout",
            "raise idle_replication_slot_timeout (0 turns it off) or keep the consumer running"),
    /** PostgreSQL 16 and 17 report rows_removed and wal_level_insufficient alike. */
    CONFLICT_WITH_RECOVERY("conflicting with recovery", "it conflicted with recovery on a standby: VACUUM on the"
                                                        + " primary removed rows it needed (rows_removed), or the"
                                                        + " primary's wal_level was lowered below logical"
                                                        + " (wal_level_insufficient)",
            "on the standby set hot_standby_feedback = on and a primary_slot_name, and keep wal_level = logical on"
            + " the primary"),
    /** Invalidated, the server did not say why. */
    UNKNOWN("invalidated", "the server invalidated it", "see pg_replication_slots and the server log for the cause");

    private static final String INVALIDATED_STATE = "55000";

    private final String reason;
    private final String what;
    private final String prevent;

    SlotInvalidation(String reason, String what, String prevent) {
        this.reason = reason;
        this.what = what;
        this.prevent = prevent;
    }

    /** The cause as {@code pg_replication_slots.invalidation_reason} names it, e.g. {@code wal_removed}. */
    public String reason() {
        return reason;
    }

    /**
     * The cause of an invalidated slot as {@code pg_replication_slots} shows it; null when the slot is valid.
     *
     * @param invalidationReason the column of PostgreSQL 17+, null before
     * @param conflicting        the column of PostgreSQL 16+ (PostgreSQL 16 also sets it for removed WAL), null before
     * @param walStatus          the column of PostgreSQL 13+
     */
    public static SlotInvalidation of(String invalidationReason, Boolean conflicting, String walStatus) {
        if (invalidationReason != null) {
            for (SlotInvalidation cause : values()) {
                if (cause.reason.equals(invalidationReason)) {
                    return cause;
                }
            }
            return UNKNOWN;
        }
        if ("lost".equals(walStatus)) {
            return WAL_REMOVED;
        }
        return Boolean.TRUE.equals(conflicting) ? CONFLICT_WITH_RECOVERY : null;
    }

    /** The cause of a stream or SQL failure that reports an invalidated slot, in any version's wording; else null. */
    public static SlotInvalidation of(Throwable failure) {
        if (!(failure instanceof SQLException e) || !INVALIDATED_STATE.equals(e.getSQLState())) {
            return null;
        }
        String message = String.valueOf(e.getMessage());
        String detail = Errors.detail(e).toLowerCase(Locale.ROOT);
        if (message.contains("can no longer access replication slot")) {
            // PostgreSQL 18: This replication slot has been invalidated due to "<reason>".
            for (SlotInvalidation cause : values()) {
                if (detail.contains("\"" + cause.reason + "\"")) {
                    return cause;
                }
            }
            return UNKNOWN;
        }
        if (message.contains("can no longer get changes from replication slot")
            || message.contains("cannot read from logical replication slot")) {
            return detail.contains("conflicting with recovery") ? CONFLICT_WITH_RECOVERY : WAL_REMOVED;
        }
        return null;
    }

    /** One sentence for the health check: what happened and the fix. */
    public String describe() {
        return "The replication slot was invalidated (" + reason + "): " + what + ". Recreate it and re-read the"
               + " tables (restart with reset=true&snapshotMode=initial), and " + prevent;
    }

    /** The error that replaces the server's: the slot, the cause, what is gone and the fix. */
    public PgReplicationSetupException explain(String slot, Throwable cause) {
        return new PgReplicationSetupException("slot=" + slot + ": the replication slot was invalidated (" + reason
                                               + "): " + what + ". The changes since its confirmed position are gone"
                                               + " from it and it cannot be streamed again. Recreate the slot and"
                                               + " re-read the tables (restart with reset=true&snapshotMode=initial),"
                                               + " and " + prevent, cause);
    }
}
