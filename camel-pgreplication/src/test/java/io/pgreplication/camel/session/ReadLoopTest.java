package io.pgreplication.camel.session;

import java.sql.SQLException;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.Operation;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.table.FollowedTables;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.value.TypeInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The read loop on captured pgoutput bytes, with a fake stream and fake routes: no server, no threads. */
class ReadLoopTest {

    /** dml-default.txt: an insert, two updates and a delete of cap.item, each its own transaction. */
    private static final List<Captured.Message> DML = Captured.messages("dml-default.txt");
    /** The end LSN of its last transaction. */
    private static final long LAST_COMMIT_END = Lsn.parse("0/1742538").value();
    private static final int MOOD = 16547;
    private static final int POSINT = 16554;

    private final StatusBoard board = new StatusBoard();
    private final FlushTracker tracker = new FlushTracker(0);
    private final FakeDispatcher routes = new FakeDispatcher();

    @Test
    void deliversEveryChangeInBatchesAndConfirmsWhatTheRoutesCompleted() throws Exception {
        FakeStream stream = new FakeStream(DML);

        ReadLoop.Outcome outcome = loop(stream, false, new FakeCatalog(), () -> stream.idleReads() < 3).run();

        assertThat(outcome).isEqualTo(ReadLoop.Outcome.STOPPED);
        assertThat(routes.events()).extracting(ChangeEvent::getOperation)
                .containsExactly(Operation.INSERT, Operation.UPDATE, Operation.UPDATE, Operation.DELETE);
        assertThat(routes.offered()).extracting(b -> b.relation().qualifiedName()).containsOnly("cap.item");
        assertThat(stream.flushed()).isEqualTo(LAST_COMMIT_END);
        assertThat(board.current().confirmed()).isEqualTo(Lsn.of(LAST_COMMIT_END));
        assertThat(board.current().received()).isEqualTo(Lsn.of(stream.lastReceiveLsn()));
    }

    @Test
    void aFailedBatchEndsTheLoopAndNothingIsConfirmed() throws Exception {
        FakeStream stream = new FakeStream(DML);
        routes.routes(FakeDispatcher.Route.FAIL);

        ReadLoop.Outcome outcome = loop(stream, false, new FakeCatalog(), () -> true).run();

        assertThat(outcome).isEqualTo(ReadLoop.Outcome.BATCH_FAILED);
        assertThat(tracker.hasFailed()).isTrue();
        assertThat(stream.flushed()).isZero();
        assertThat(board.current().confirmed()).isEqualTo(Lsn.INVALID);
    }

    @Test
    void keepsTheConnectionAliveWhileTheRoutesHaveNoRoom() throws Exception {
        FakeStream stream = new FakeStream(DML);
        routes.room(0);

        ReadLoop.Outcome outcome = loop(stream, false, new FakeCatalog(), () -> stream.statusUpdates() < 3).run();

        assertThat(outcome).isEqualTo(ReadLoop.Outcome.STOPPED);
        assertThat(stream.statusUpdates()).isEqualTo(3);
        // An offer, and a status update each time the routes had no room, until the session stopped.
        assertThat(routes.refused()).isEqualTo(4);
        assertThat(routes.offered()).isEmpty();
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aServerThatClosedTheConnectionIsNoticedWhileNothingArrives() throws Exception {
        FakeStream stream = new FakeStream(DML).closedByServerWhenDrained();

        assertThatThrownBy(() -> loop(stream, false, new FakeCatalog(), () -> true).run())
                .isInstanceOf(SQLException.class).hasMessageContaining("writing to copy");
        assertThat(stream.unread()).isZero();
        assertThat(routes.events()).hasSize(4);
    }

    @Test
    void aStopInsideATransactionReadsOnToItsCommitAndNoFurther() throws Exception {
        FakeStream stream = new FakeStream(DML);

        // Stop once Begin and Relation of the first transaction are read: its Insert and Commit still come.
        ReadLoop.Outcome outcome = loop(stream, false, new FakeCatalog(), () -> stream.read() < 2).run();

        assertThat(outcome).isEqualTo(ReadLoop.Outcome.STOPPED);
        assertThat(stream.read()).isEqualTo(4);
        assertThat(stream.unread()).isEqualTo(DML.size() - 4);
    }

    @Test
    void aBinaryStreamEndsAtAColumnWithoutAnExactBinaryDecoder() throws Exception {
        FakeStream stream = new FakeStream(Captured.messages("type.txt"));
        FakeCatalog catalog = new FakeCatalog()
                .with(new TypeInfo(MOOD, "public", "mood", 'b', 'U', 0, 0, ',', true))
                .with(new TypeInfo(POSINT, "public", "posint", 'd', 'N', 23, 0, ',', true));

        ReadLoop loop = loop(stream, true, catalog, () -> true);

        assertThat(loop.run()).isEqualTo(ReadLoop.Outcome.TEXT_VALUES);
        assertThat(loop.textValuesReason()).contains("cap.mood_log.mood").contains("(type OID " + MOOD + ")");
        assertThat(routes.offered()).isEmpty();
    }

    @Test
    void aTextStreamDecodesEveryColumnAndReadsTypesAgainAfterARelation() throws Exception {
        FakeStream stream = new FakeStream(Captured.messages("type.txt"));
        FakeCatalog catalog = new FakeCatalog()
                .with(new TypeInfo(MOOD, "public", "mood", 'e', 'E', 0, 0, ',', true))
                .with(new TypeInfo(POSINT, "public", "posint", 'd', 'N', 23, 0, ',', true));

        ReadLoop.Outcome outcome = loop(stream, false, catalog, () -> stream.idleReads() < 2).run();

        assertThat(outcome).isEqualTo(ReadLoop.Outcome.STOPPED);
        assertThat(catalog.forgotten()).isEqualTo(1);
        assertThat(routes.events()).singleElement().satisfies(e -> {
            assertThat(e.getTable()).isEqualTo("mood_log");
            assertThat(e.getAfter()).containsValue("happy");
        });
    }

    private ReadLoop loop(FakeStream stream, boolean binary, FakeCatalog catalog, BooleanSupplier running) {
        SessionOptions options = TestSessions.options(SnapshotMode.NEVER);
        StatusReporter status = new StatusReporter("s1", stream, tracker, true, board, Lsn.INVALID,
                TestSessions.noOffsets());
        return new ReadLoop(TestSessions.opened(Lsn.INVALID, stream, binary, catalog), options, FollowedTables.ALL,
                IncludeColumns.ALL, tracker, routes, status, board, running, backfill -> {
                    throw new IllegalStateException("no backfills in this stream");
                });
    }
}
