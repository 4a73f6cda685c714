package io.pgreplication.camel.lsn;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FlushTrackerTest {

    private final FlushTracker tracker = new FlushTracker(100);

    @Test
    void confirmsATransactionOnlyWhenItsBatchCompleted() {
        FlushTracker.Ticket batch = tracker.open(1);
        tracker.committed(1, 200);
        assertThat(tracker.confirmed()).isEqualTo(100);
        batch.complete();
        assertThat(tracker.confirmed()).isEqualTo(200);
    }

    @Test
    void confirmsOnlyTransactionEndsNeverAnOpenTransaction() {
        FlushTracker.Ticket first = tracker.open(1);
        tracker.committed(1, 200);
        // transaction 2 is still open: its changes went into a second batch
        FlushTracker.Ticket second = tracker.open(2);
        first.complete();
        assertThat(tracker.confirmed()).isEqualTo(200);
        second.complete();
        assertThat(tracker.confirmed()).as("transaction 2 has not committed").isEqualTo(200);
        tracker.committed(2, 300);
        assertThat(tracker.confirmed()).isEqualTo(300);
    }

    @Test
    void confirmedLsnNeverPassesAnUnfinishedBatchWhenLaterBatchesCompleteFirst() {
        FlushTracker.Ticket a = tracker.open(1);
        tracker.committed(1, 200);
        FlushTracker.Ticket b = tracker.open(2);
        tracker.committed(2, 300);
        FlushTracker.Ticket c = tracker.open(3);
        tracker.committed(3, 400);
        c.complete();
        b.complete();
        assertThat(tracker.confirmed()).isEqualTo(100);
        a.complete();
        assertThat(tracker.confirmed()).isEqualTo(400);
    }

    @Test
    void aBatchSpanningManyTransactionsHoldsThemAllBack() {
        FlushTracker.Ticket batch = tracker.open(1);
        for (int t = 1; t <= 500; t++) {
            tracker.committed(t, 100 + t * 10);
        }
        assertThat(tracker.confirmed()).isEqualTo(100);
        batch.complete();
        assertThat(tracker.confirmed()).isEqualTo(100 + 500 * 10);
    }

    @Test
    void aTransactionSplitOverTwoTablesWaitsForBothBatches() {
        FlushTracker.Ticket orders = tracker.open(1);
        FlushTracker.Ticket items = tracker.open(1);
        tracker.committed(1, 200);
        orders.complete();
        assertThat(tracker.confirmed()).isEqualTo(100);
        items.complete();
        assertThat(tracker.confirmed()).isEqualTo(200);
    }

    @Test
    void confirmedLsnNeverPassesAFailedBatch() {
        FlushTracker.Ticket a = tracker.open(1);
        tracker.committed(1, 200);
        FlushTracker.Ticket b = tracker.open(2);
        tracker.committed(2, 300);
        a.complete();
        b.fail();
        assertThat(tracker.confirmed()).isEqualTo(200);
        assertThat(tracker.hasFailed()).isTrue();
        assertThat(a.streamFailed()).isTrue();
        tracker.idleAt(999);
        assertThat(tracker.confirmed()).as("a failed stream never advances on keepalives").isEqualTo(200);
    }

    @Test
    void transactionsWithoutDeliveredChangesAreConfirmedRightAway() {
        tracker.committed(1, 200);
        tracker.committed(2, 300);
        assertThat(tracker.confirmed()).isEqualTo(300);
    }

    @Test
    void theKeepalivePositionIsConfirmedOnlyWhenNothingIsPending() {
        FlushTracker.Ticket batch = tracker.open(1);
        tracker.idleAt(500);
        assertThat(tracker.confirmed()).isEqualTo(100);
        tracker.committed(1, 200);
        tracker.idleAt(500);
        assertThat(tracker.confirmed()).isEqualTo(100);
        batch.complete();
        tracker.idleAt(500);
        assertThat(tracker.confirmed()).isEqualTo(500);
    }

    @Test
    void neverMovesBackwards() {
        tracker.idleAt(500);
        tracker.committed(1, 300);
        tracker.idleAt(400);
        assertThat(tracker.confirmed()).isEqualTo(500);
    }

    @Test
    void completingATicketTwiceCountsOnce() {
        FlushTracker.Ticket a = tracker.open(1);
        FlushTracker.Ticket b = tracker.open(1);
        tracker.committed(1, 200);
        a.complete();
        a.complete();
        assertThat(tracker.confirmed()).isEqualTo(100);
        assertThat(tracker.unfinishedBatches()).isEqualTo(1);
        b.complete();
        assertThat(tracker.confirmed()).isEqualTo(200);
    }

    @Test
    void comparesLsnsUnsigned() {
        FlushTracker high = new FlushTracker(0x7FFF_FFFF_FFFF_FFF0L);
        high.committed(1, 0x8000_0000_0000_0010L);
        assertThat(high.confirmed()).isEqualTo(0x8000_0000_0000_0010L);
    }
}
