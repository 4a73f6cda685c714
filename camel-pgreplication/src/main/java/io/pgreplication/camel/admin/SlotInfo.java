package io.pgreplication.camel.admin;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.SlotInvalidation;

/**
 * A row of {@code pg_replication_slots}, as far as this component needs it.
 *
 * @param confirmedFlushLsn null when the slot has none (a physical slot)
 * @param restartLsn        null when the slot has none
 * @param walStatus         {@code reserved}, {@code extended}, {@code unreserved}, {@code lost}, or null before PG13
 * @param retainedWalBytes  WAL the server keeps for this slot (current WAL position minus restart_lsn); null on a
 *                          standby or when the slot has no restart_lsn
 * @param failover          whether a standby synchronizes the slot (PostgreSQL 17+); null before 17
 * @param synced            whether a standby made the slot by synchronizing it from its primary (17+; stays true after
 *                          a promotion); null before 17
 * @param invalidation      why the server invalidated the slot; null while it is valid
 */
public record SlotInfo(String name, String plugin, String slotType, String database, boolean active, Integer activePid,
        Lsn confirmedFlushLsn, Lsn restartLsn, String walStatus, Long retainedWalBytes, Boolean failover,
        Boolean synced, SlotInvalidation invalidation) {
}
