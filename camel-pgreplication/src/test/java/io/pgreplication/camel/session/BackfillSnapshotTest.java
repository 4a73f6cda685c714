package io.pgreplication.camel.session;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.pgreplication.camel.admin.BackfillRequest;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.table.TableSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worker of an online backfill against a fake snapshot and fake routes: when its guard lets the slot pass the
 * request (only once every snapshot batch completed) and what a stop, a failed batch or a failed export leave.
 */
class BackfillSnapshotTest {

    private static final Lsn POINT = Lsn.parse("0/5000000");
    /** The request's transaction ends here; the stream committed it, the guard holds it. */
    private static final long REQUEST_END = 0x4000100;

    private final FlushTracker tracker = new FlushTracker(0);
    private final FakeDispatcher routes = new FakeDispatcher();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Backfill backfill = new Backfill(BackfillRequest.of("s1", List.of(new TableSpec("public",
            "orders"))), java.util.Map.of(16400, new TableSpec("public", "orders")), tracker.open(1), () -> {
            });

    BackfillSnapshotTest() {
        tracker.committed(1, REQUEST_END);
    }

    @Test
    void everySnapshotBatchCarriesTheBackfillAndTheSlotPassesTheRequestOnceAllCompleted() {
        new BackfillSnapshot("s1", backfill, new FakeSnapshotSource(POINT, 3), routes, stop::get).run();

        assertThat(routes.offered()).hasSize(3).allSatisfy(b -> assertThat(b.backfill()).isEqualTo(backfill.id()));
        assertThat(routes.events()).allSatisfy(e -> assertThat(e.getLsn()).isEqualTo(POINT.toString()));
        assertThat(backfill.point()).isEqualTo(POINT);
        assertThat(backfill.offered()).isTrue();
        assertThat(backfill.ended()).isTrue();
        assertThat(tracker.confirmed()).isEqualTo(REQUEST_END);
    }

    @Test
    void whileRoutesStillHoldSnapshotBatchesTheSlotStaysBeforeTheRequest() {
        routes.routes(FakeDispatcher.Route.HOLD);
        Thread worker = new Thread(new BackfillSnapshot("s1", backfill, new FakeSnapshotSource(POINT, 3), routes,
                stop::get));
        worker.start();

        await().until(backfill::offered);
        assertThat(tracker.confirmed()).isZero();
        assertThat(backfill.ended()).isFalse();
        routes.completeHeld();
        await().until(backfill::ended);
        assertThat(tracker.confirmed()).isEqualTo(REQUEST_END);
    }

    @Test
    void aFailedSnapshotBatchFailsTheGuardSoTheStreamRestartsBeforeTheRequest() {
        routes.failFrom(1);

        new BackfillSnapshot("s1", backfill, new FakeSnapshotSource(POINT, 3), routes, stop::get).run();

        assertThat(tracker.hasFailed()).isTrue();
        assertThat(tracker.confirmed()).isZero();
        assertThat(backfill.failure()).as("the route's failure was reported by the route").isNull();
        assertThat(backfill.ended()).isTrue();
    }

    @Test
    void aStopLeavesTheGuardUnfinishedAndDropsTheTemporarySlot() {
        stop.set(true);
        FakeSnapshotSource source = new FakeSnapshotSource(POINT, 3);

        new BackfillSnapshot("s1", backfill, source, routes, stop::get).run();

        assertThat(source.readStoppedEarly()).isTrue();
        assertThat(source.closed()).isTrue();
        assertThat(backfill.offered()).isFalse();
        assertThat(tracker.hasFailed()).isFalse();
        assertThat(tracker.confirmed()).isZero();
    }

    @Test
    void aServerErrorFailsTheBackfillWithItsCause() {
        SnapshotSource broken = new SnapshotSource() {
            @Override
            public boolean slotExists() {
                return true;
            }

            @Override
            public Exported export() throws SQLException {
                throw new SQLException("all replication slots are in use", "53400");
            }
        };

        new BackfillSnapshot("s1", backfill, broken, routes, stop::get).run();

        assertThat(backfill.failure()).hasMessage("all replication slots are in use");
        assertThat(tracker.hasFailed()).isTrue();
        assertThat(backfill.ended()).isTrue();
    }
}
