package io.pgreplication.camel.session;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.admin.SlotInfo;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.Failure;
import io.pgreplication.camel.server.LostSlot;
import io.pgreplication.camel.server.ServerIdentity;
import io.pgreplication.camel.table.FollowedTables;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reconnect loop against a fake server side: backoff, resuming where the slot was confirmed, text fallback. */
class ReplicationSessionTest {

    private static final List<Captured.Message> DML = Captured.messages("dml-default.txt");
    private static final Lsn FIRST_COMMIT_END = Lsn.parse("0/1742370");
    private static final Lsn LAST_COMMIT_END = Lsn.parse("0/1742538");
    private static final SlotInfo SLOT = new SlotInfo("s1", "pgoutput", "logical", "shop", false, null, Lsn.INVALID,
            Lsn.INVALID, "reserved", 0L, true, false, null);
    private static final SlotInfo CONFIRMED_SLOT = new SlotInfo("s1", "pgoutput", "logical", "shop", false, null,
            FIRST_COMMIT_END, FIRST_COMMIT_END, "reserved", 0L, true, false, null);

    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final FakeDispatcher routes = new FakeDispatcher();
    private final Recorder listener = new Recorder();
    private final List<Opened> opens = new CopyOnWriteArrayList<>();
    private ReplicationSession session;

    @AfterEach
    void stop() throws Exception {
        if (session != null) {
            session.stop();
        }
        thread.shutdown();
        assertThat(thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void retriesWithABackoffThatDoublesAndForgetsTheFailuresOnceStreaming() {
        session = session(SnapshotMode.NEVER, 1000, (start, textOnly, tables) -> {
            if (opens.size() < 2) {
                opens.add(new Opened(start, textOnly));
                throw new SQLException("connection refused", "08001");
            }
            opens.add(new Opened(start, textOnly));
            return TestSessions.opened(start, new FakeStream(DML), false, new FakeCatalog());
        });
        thread.execute(session);

        await().until(() -> session.status().confirmed().equals(LAST_COMMIT_END));
        assertThat(listener.failures).extracting(f -> f.failure.kind()).containsExactly(Failure.Kind.TRANSIENT,
                Failure.Kind.TRANSIENT);
        assertThat(listener.failures).extracting(f -> f.attempt).containsExactly(1, 2);
        assertThat(listener.failures).extracting(f -> f.delay).containsExactly(Duration.ofMillis(1),
                Duration.ofMillis(2));
        SessionStatus status = session.status();
        assertThat(status.state()).isEqualTo(SessionStatus.State.STREAMING);
        assertThat(status.lastError()).isNull();
        assertThat(status.failedAttempts()).isZero();
        assertThat(status.protocolVersion()).isEqualTo(4);
    }

    @Test
    void afterAFailedBatchStreamsAgainFromWhereTheSlotWasConfirmed() {
        routes.failFrom(1);
        session = session(SnapshotMode.NEVER, 1, (start, textOnly, tables) -> {
            opens.add(new Opened(start, textOnly));
            return TestSessions.opened(start, new FakeStream(opens.size() == 1 ? DML : List.of()), false,
                    new FakeCatalog());
        });
        thread.execute(session);

        await().until(() -> opens.size() >= 2);
        assertThat(opens.get(0).start).isEqualTo(Lsn.INVALID);
        assertThat(opens.get(1).start).isEqualTo(FIRST_COMMIT_END);
        assertThat(listener.failures).isEmpty();
    }

    @Test
    void aBinaryStreamThatMeetsAnUndecodableColumnIsReopenedWithTextValues() {
        FakeCatalog catalog = new FakeCatalog()
                .with(new TypeInfo(16547, "cap", "mood", 'b', 'U', 0, 0, ',', true))
                .with(new TypeInfo(16554, "cap", "posint", 'd', 'N', 23, 0, ',', true));
        session = session(SnapshotMode.NEVER, 1000, (start, textOnly, tables) -> {
            opens.add(new Opened(start, textOnly));
            return TestSessions.opened(start, new FakeStream(Captured.messages("type.txt")), !textOnly, catalog);
        });
        thread.execute(session);

        await().until(() -> routes.events().size() == 1);
        assertThat(opens).extracting(o -> o.textOnly).containsExactly(false, true);
        assertThat(routes.events().get(0).getTable()).isEqualTo("mood_log");
    }

    @Test
    void aSlotLostWhileStreamingIsNeverMadeAgainByTheRunningSession() {
        AtomicInteger setups = new AtomicInteger();
        ServerIdentity promoted = new ServerIdentity("7412", 2);
        session = new ReplicationSession(TestSessions.options(SnapshotMode.NEVER), routes, listener, () -> {
            setups.incrementAndGet();
            return new ReplicationSetup.Result(TestSessions.PG17, CONFIRMED_SLOT, FollowedTables.ALL,
                    IncludeColumns.ALL, true, null);
        }, (start, textOnly, tables) -> {
            opens.add(new Opened(start, textOnly));
            throw LostSlot.whileRunning("s1", start, Lsn.parse("0/9000000"), promoted, null);
        }, scope -> {
            throw new AssertionError("the slot existed at setup: no snapshot");
        }, NO_BACKFILLS);
        thread.execute(session);

        await().until(() -> listener.failures.size() >= 3);
        assertThat(setups).as("the setup, which could create a slot, ran once, at start").hasValue(1);
        assertThat(listener.failures).allSatisfy(f -> {
            assertThat(f.failure.kind()).isEqualTo(Failure.Kind.NEEDS_OPERATOR);
            assertThat(f.failure.error()).hasMessageContaining("does not exist on this server")
                    .hasMessageContaining("confirmed it up to 0/1742370");
        });
        assertThat(opens.get(0).start).as("the first stream starts where the setup found the slot")
                .isEqualTo(FIRST_COMMIT_END);
        assertThat(session.status().state()).isEqualTo(SessionStatus.State.RETRYING);
    }

    @Test
    void streamsTheTablesTheSetupFoundAndNoOthers() {
        // The captured changes are of public.item (OID 16556); the setup found only another table.
        TableSpec other = new TableSpec("public", "other");
        FollowedTables noItem = FollowedTables.of(List.of(other), Map.of(other, 99_999));
        FakeStream stream = new FakeStream(DML);
        List<TableFilter> given = new CopyOnWriteArrayList<>();
        session = new ReplicationSession(TestSessions.options(SnapshotMode.NEVER), routes, listener,
                () -> new ReplicationSetup.Result(TestSessions.PG17, SLOT, noItem, IncludeColumns.ALL, false, null),
                (start, textOnly, tables) -> {
                    given.add(tables);
                    return TestSessions.opened(start, stream, false, new FakeCatalog());
                }, scope -> {
                    throw new AssertionError("the slot exists: no snapshot");
                }, NO_BACKFILLS);
        thread.execute(session);

        await().until(() -> stream.unread() == 0 && stream.idleReads() > 2);
        assertThat(given).containsExactly(noItem);
        assertThat(routes.offered()).isEmpty();
    }

    @Test
    void initialOnlyTakesTheSnapshotThatMakesTheSlotAndFinishes() {
        Lsn point = Lsn.parse("0/3000060");
        FakeSnapshotSource snapshot = new FakeSnapshotSource(point, 2);
        session = new ReplicationSession(TestSessions.options(SnapshotMode.INITIAL_ONLY), routes, listener,
                () -> new ReplicationSetup.Result(TestSessions.PG17, null, FollowedTables.ALL, IncludeColumns.ALL,
                        false, null),
                (start, textOnly, tables) -> {
                    throw new AssertionError("initialOnly never streams");
                }, scope -> snapshot, NO_BACKFILLS);
        thread.execute(session);

        await().until(() -> session.status().state() == SessionStatus.State.FINISHED);
        assertThat(snapshot.persistedAs()).isEqualTo("s1");
        assertThat(routes.offered()).hasSize(2);
        assertThat(session.status().confirmed()).isEqualTo(point);
        assertThat(listener.finished).singleElement().asString().contains("consistent point 0/3000060");
    }

    @Test
    void anOutOfMemoryErrorOnTheStreamThreadStopsTheSessionWithoutARetryKeepingWhatCompleted() throws Exception {
        session = session(SnapshotMode.NEVER, 1, (start, textOnly, tables) -> {
            opens.add(new Opened(start, textOnly));
            return TestSessions.opened(start, new OutOfMemoryAfterTheLastMessage(new FakeStream(DML)), false,
                    new FakeCatalog());
        });

        thread.submit(session).get(10, TimeUnit.SECONDS); // run() returns by itself: no retry loop

        assertThat(opens).hasSize(1);
        assertThat(listener.failures).isEmpty();
        SessionStatus status = session.status();
        assertThat(status.state()).isEqualTo(SessionStatus.State.FAILED);
        assertThat(status.confirmed()).as("what the routes completed before the Error").isEqualTo(LAST_COMMIT_END);
        assertThat(listener.stopped).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Failure.Kind.FATAL);
            assertThat(f.error()).isSameAs(status.lastError()).hasRootCauseInstanceOf(OutOfMemoryError.class);
            assertThat(f.error().getMessage()).contains("slot=s1", "OutOfMemoryError", "while streaming",
                    "does not retry", "The slot stays at " + LAST_COMMIT_END, "batchSize=1", "maxBatchBytes=64MB",
                    "-Xmx", "max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MB");
        });
    }

    @Test
    void anOutOfMemoryErrorInTheSnapshotStopsTheSessionWithNoSlotMade() throws Exception {
        FakeSnapshotSource snapshot = new FakeSnapshotSource(Lsn.parse("0/3000060"), 3)
                .failingWith(new OutOfMemoryError("Java heap space (thrown by the test)"));
        session = new ReplicationSession(TestSessions.options(SnapshotMode.INITIAL), routes, listener,
                () -> new ReplicationSetup.Result(TestSessions.PG17, null, FollowedTables.ALL, IncludeColumns.ALL,
                        false, null),
                (start, textOnly, tables) -> {
                    throw new AssertionError("the snapshot did not complete: nothing to stream");
                }, scope -> snapshot, NO_BACKFILLS);

        thread.submit(session).get(10, TimeUnit.SECONDS);

        assertThat(session.status().state()).isEqualTo(SessionStatus.State.FAILED);
        assertThat(snapshot.persistedAs()).isNull();
        assertThat(snapshot.closed()).isTrue();
        assertThat(routes.discards()).isPositive();
        assertThat(listener.stopped).singleElement().satisfies(f -> assertThat(f.error().getMessage())
                .contains("while taking the initial snapshot", "No slot was made", "snapshotParallelism=2"));
    }

    private ReplicationSession session(SnapshotMode mode, int batchSize, ReplicationSession.Opener opener) {
        return new ReplicationSession(TestSessions.options(mode, batchSize), routes, listener,
                () -> new ReplicationSetup.Result(TestSessions.PG17, SLOT, FollowedTables.ALL, IncludeColumns.ALL,
                        false, null),
                opener, scope -> {
                    throw new AssertionError("the slot exists: no snapshot");
                }, NO_BACKFILLS);
    }

    /** The captured streams request no backfill. */
    private static final java.util.concurrent.Executor NO_BACKFILLS = task -> {
        throw new AssertionError("no backfill was requested");
    };

    private record Opened(Lsn start, boolean textOnly) {
    }

    private static final class Recorder implements SessionListener {
        private record Failed(Failure failure, int attempt, Duration delay) {
        }

        private final List<Failed> failures = new CopyOnWriteArrayList<>();
        private final List<String> finished = new CopyOnWriteArrayList<>();
        private final List<Failure> stopped = new CopyOnWriteArrayList<>();

        @Override
        public void onFailure(Failure failure, int attempt, Duration delay) {
            failures.add(new Failed(failure, attempt, delay));
        }

        @Override
        public void onStopped(Failure failure) {
            stopped.add(failure);
        }

        @Override
        public void onFinished(String reason) {
            finished.add(reason);
        }
    }

    /** A stream that plays its messages, then fails as a reader that ran out of heap. */
    private static final class OutOfMemoryAfterTheLastMessage implements ReplicationStream {
        private final FakeStream played;

        OutOfMemoryAfterTheLastMessage(FakeStream played) {
            this.played = played;
        }

        @Override
        public java.nio.ByteBuffer readPending() {
            if (played.unread() == 0) {
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
            return played.readPending();
        }

        @Override
        public long lastReceiveLsn() {
            return played.lastReceiveLsn();
        }

        @Override
        public void setFlushed(long lsn) {
            played.setFlushed(lsn);
        }

        @Override
        public void forceStatus() throws SQLException {
            played.forceStatus();
        }

        @Override
        public boolean isClosed() {
            return false;
        }
    }
}
