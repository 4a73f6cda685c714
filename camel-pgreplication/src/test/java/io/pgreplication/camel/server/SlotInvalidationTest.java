package io.pgreplication.camel.server;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invalidated slots as PostgreSQL 13 to 18 report them (the wording of each version's logical.c, walsender.c and
 * slot.c, SQLSTATE 55000), each cause with its own fix.
 */
class SlotInvalidationTest {

    private static final String MAX_RESERVED = "This slot has been invalidated because it exceeded the maximum reserved"
                                               + " size.";
    private static final String CONFLICTING = "This slot has been invalidated because it was conflicting with"
                                              + " recovery.";

    @Test
    void postgres13To15StartReplicationWordingIsRemovedWal() {
        assertThat(SlotInvalidation.of(error("55000", "cannot read from logical replication slot \"s1\"",
                MAX_RESERVED))).isEqualTo(SlotInvalidation.WAL_REMOVED);
    }

    @Test
    void postgres16And17TellRemovedWalFromAConflictWithRecoveryByTheDetail() {
        String message = "can no longer get changes from replication slot \"s1\"";
        assertThat(SlotInvalidation.of(error("55000", message, MAX_RESERVED))).isEqualTo(SlotInvalidation.WAL_REMOVED);
        assertThat(SlotInvalidation.of(error("55000", message, CONFLICTING)))
                .isEqualTo(SlotInvalidation.CONFLICT_WITH_RECOVERY);
    }

    @Test
    void postgres18NamesEveryCause() {
        for (SlotInvalidation cause : new SlotInvalidation[] {SlotInvalidation.WAL_REMOVED,
                SlotInvalidation.ROWS_REMOVED, SlotInvalidation.WAL_LEVEL_INSUFFICIENT, SlotInvalidation.IDLE_TIMEOUT}) {
            assertThat(SlotInvalidation.of(error("55000", "can no longer access replication slot \"s1\"",
                    "This replication slot has been invalidated due to \"" + cause.reason() + "\".")))
                    .as(cause.reason()).isEqualTo(cause);
        }
    }

    @Test
    void otherErrorsAreNotInvalidations() {
        assertThat(SlotInvalidation.of(error("55000", "cannot use replication slot \"s1\" for logical decoding",
                "This replication slot is being synchronized from the primary server."))).isNull();
        assertThat(SlotInvalidation.of(error("42704", "can no longer access replication slot \"s1\"", null))).isNull();
        assertThat(SlotInvalidation.of(new SQLException("can no longer get changes from replication slot"))).isNull();
    }

    @Test
    void theSlotRowNamesTheCauseOnEveryVersion() {
        assertThat(SlotInvalidation.of("idle_timeout", false, "lost")).isEqualTo(SlotInvalidation.IDLE_TIMEOUT);
        assertThat(SlotInvalidation.of("rows_removed", true, "reserved")).isEqualTo(SlotInvalidation.ROWS_REMOVED);
        assertThat(SlotInvalidation.of(null, true, "lost")).as("PostgreSQL 16 flags removed WAL as conflicting too")
                .isEqualTo(SlotInvalidation.WAL_REMOVED);
        assertThat(SlotInvalidation.of(null, true, "reserved")).isEqualTo(SlotInvalidation.CONFLICT_WITH_RECOVERY);
        assertThat(SlotInvalidation.of(null, null, "lost")).isEqualTo(SlotInvalidation.WAL_REMOVED);
        assertThat(SlotInvalidation.of(null, false, "reserved")).isNull();
        assertThat(SlotInvalidation.of(null, null, null)).isNull();
    }

    @Test
    void eachCauseGetsItsOwnFix() {
        assertThat(SlotInvalidation.WAL_REMOVED.explain("s1", null)).hasMessageContaining("max_slot_wal_keep_size");
        assertThat(SlotInvalidation.ROWS_REMOVED.explain("s1", null)).hasMessageContaining("hot_standby_feedback");
        assertThat(SlotInvalidation.WAL_LEVEL_INSUFFICIENT.explain("s1", null))
                .hasMessageContaining("ALTER SYSTEM SET wal_level = logical");
        assertThat(SlotInvalidation.IDLE_TIMEOUT.explain("s1", null))
                .hasMessageContaining("idle_replication_slot_timeout (0 turns it off)");
        for (SlotInvalidation cause : SlotInvalidation.values()) {
            assertThat(cause.explain("s1", null)).hasMessageStartingWith("slot=s1: the replication slot was"
                                                                         + " invalidated (" + cause.reason() + ")")
                    .hasMessageContaining("reset=true&snapshotMode=initial");
            assertThat(cause.describe()).contains(cause.reason()).contains("reset=true&snapshotMode=initial");
        }
    }

    @Test
    void theStreamFailureOfPostgres18IsExplainedAndNeedsAnOperator() {
        Failure failure = Failure.of("s1", "p1", error("55000", "can no longer access replication slot \"s1\"",
                "This replication slot has been invalidated due to \"wal_removed\"."));
        assertThat(failure.kind()).isEqualTo(Failure.Kind.NEEDS_OPERATOR);
        assertThat(failure.error()).hasMessageContaining("invalidated (wal_removed)")
                .hasMessageContaining("max_slot_wal_keep_size");
    }

    @Test
    void aSynchronizedSlotOnAStandbyIsExplained() {
        Throwable explained = Errors.explainStreamFailure("s1", "p1", error("55000",
                "cannot use replication slot \"s1\" for logical decoding",
                "This replication slot is being synchronized from the primary server."));
        assertThat(explained).hasMessageContaining("this server is a standby")
                .hasMessageContaining("jdbc:postgresql://host1,host2/db");
    }

    /** An error as pgjdbc builds it from the server's ErrorResponse fields. */
    private static PSQLException error(String state, String message, String detail) {
        return new PSQLException(new ServerErrorMessage("SERROR\0C" + state + "\0M" + message + "\0"
                                                        + (detail == null ? "" : "D" + detail + "\0")));
    }
}
