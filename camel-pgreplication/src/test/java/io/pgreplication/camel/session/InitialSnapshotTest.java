package io.pgreplication.camel.session;

import java.util.function.BooleanSupplier;

import io.pgreplication.camel.lsn.Lsn;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The snapshot orchestration with fake routes and a fake exported snapshot: the slot exists only after success. */
class InitialSnapshotTest {

    private static final Lsn POINT = Lsn.parse("0/3000060");

    private final FakeDispatcher routes = new FakeDispatcher();
    private final FakeSnapshotSource source = new FakeSnapshotSource(POINT, 3);

    @Test
    void makesTheSlotAtTheConsistentPointOnceEveryBatchCompleted() throws Exception {
        Lsn point = new InitialSnapshot("s1", source, routes, () -> true, false).run();

        assertThat(point).isEqualTo(POINT);
        assertThat(routes.offered()).hasSize(3);
        assertThat(routes.events()).allSatisfy(e -> assertThat(e.commitLsnValue()).isEqualTo(POINT.value()));
        assertThat(source.persistedAs()).isEqualTo("s1");
        assertThat(source.closed()).isTrue();
    }

    @Test
    void aFailedBatchLeavesNoSlotSoTheNextAttemptSnapshotsAgain() throws Exception {
        routes.routes(FakeDispatcher.Route.FAIL);

        Lsn point = new InitialSnapshot("s1", source, routes, () -> true, false).run();

        assertThat(point).isNull();
        assertThat(source.readStoppedEarly()).isTrue();
        assertThat(source.persistedAs()).isNull();
        assertThat(source.closed()).isTrue();
    }

    @Test
    void aStopLeavesNoSlotAndDropsWhatNoRouteStarted() throws Exception {
        BooleanSupplier runningUntilTheFirstBatch = () -> routes.offered().isEmpty();

        Lsn point = new InitialSnapshot("s1", source, routes, runningUntilTheFirstBatch, false).run();

        assertThat(point).isNull();
        assertThat(routes.offered()).hasSize(1);
        assertThat(routes.discards()).isPositive();
        assertThat(source.persistedAs()).isNull();
        assertThat(source.closed()).isTrue();
    }
}
