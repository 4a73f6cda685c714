package io.pgreplication.camel;

import java.time.Instant;

import io.pgreplication.camel.lsn.Lsn;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryStatsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Lsn NOTHING_CONFIRMED = new Lsn(0x100);

    private final DeliveryStats stats = new DeliveryStats();

    @Test
    void countsChangesAndBatchesAndKeepsTheNewestCommitTime() {
        stats.delivered(3, 0x200, T0.plusSeconds(2), NOTHING_CONFIRMED);
        stats.delivered(2, 0x300, T0.plusSeconds(1), NOTHING_CONFIRMED);
        stats.delivered(5, 0x400, null, NOTHING_CONFIRMED);
        stats.failed();

        assertThat(stats.changes()).isEqualTo(10);
        assertThat(stats.batches()).isEqualTo(3);
        assertThat(stats.failedBatches()).isEqualTo(1);
        assertThat(stats.newestDelivered()).isEqualTo(T0.plusSeconds(2));
        assertThat(stats.newestConfirmed(NOTHING_CONFIRMED)).isNull();
    }

    @Test
    void aBatchCountsAsConfirmedOnceTheSlotPassesItsCommit() {
        stats.delivered(1, 0x200, T0.plusSeconds(1), NOTHING_CONFIRMED);
        stats.delivered(1, 0x300, T0.plusSeconds(2), NOTHING_CONFIRMED);

        // Confirmed positions are transaction ends: a position at the commit LSN has not passed it.
        assertThat(stats.newestConfirmed(new Lsn(0x200))).isNull();
        assertThat(stats.newestConfirmed(new Lsn(0x201))).isEqualTo(T0.plusSeconds(1));
        assertThat(stats.newestConfirmed(new Lsn(0x301))).isEqualTo(T0.plusSeconds(2));
        assertThat(stats.newestConfirmed(new Lsn(0x250))).as("never goes back").isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void aSlotThatNeverMovesKeepsABoundedNumberOfCommitTimes() {
        int batches = DeliveryStats.MAX_UNCONFIRMED * 3;
        for (int i = 0; i < batches; i++) {
            stats.delivered(1, 0x1000 + i, T0.plusMillis(i), NOTHING_CONFIRMED);
        }
        assertThat(stats.unconfirmedCount()).isEqualTo(DeliveryStats.MAX_UNCONFIRMED);
        // What was kept is the newest, so confirming everything reports the newest commit time.
        assertThat(stats.newestConfirmed(new Lsn(0x1000 + batches))).isEqualTo(T0.plusMillis(batches - 1));
        assertThat(stats.unconfirmedCount()).isZero();
    }
}
