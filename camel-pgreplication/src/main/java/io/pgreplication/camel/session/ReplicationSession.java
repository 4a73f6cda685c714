package io.pgreplication.camel.session;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.Failure;
import io.pgreplication.camel.server.LostSlot;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.snapshot.SnapshotScope;
import io.pgreplication.camel.table.TableFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication session of one consumer, and its reconnect loop: sets up the server objects, takes the initial
 * snapshot when the slot is still to be made, runs one stream at a time ({@link StreamRun}: the connection
 * {@link StreamOpener} opens, read by the {@link ReadLoop} until it ends), and after a failure waits with exponential
 * backoff and starts over from the confirmed position (docs/delivery.md). One thread runs it; its status is published
 * as one {@link SessionStatus}.
 */
public final class ReplicationSession implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSession.class);

    /** Brings the server objects to what the options ask for; {@link SessionSetup} on a real server. */
    @FunctionalInterface
    interface Setup {
        ReplicationSetup.Result run() throws SQLException;
    }

    /** Starts a stream of the tables a filter delivers from a position; {@link StreamOpener} on a real server. */
    @FunctionalInterface
    interface Opener {
        OpenedStream open(Lsn start, boolean textOnly, TableFilter tables) throws SQLException;
    }

    private final SessionOptions options;
    private final BatchDispatcher dispatcher;
    private final SessionListener listener;
    private final Setup setup;
    private final Opener opener;
    private final Function<SnapshotScope, SnapshotSource> snapshots;
    private final Executor backfillWorkers;
    private final StatusBoard board = new StatusBoard();
    private final OffsetRecorder offsets;
    private volatile boolean running = true;
    private volatile Thread thread;
    /** The newest position known confirmed to the server; where the next connection starts. */
    private volatile Lsn confirmed = Lsn.INVALID;
    /** The slot is missing and the snapshot mode asks for a snapshot that creates it. */
    private volatile boolean snapshotPending;
    /**
     * What the setup found, null until it ran: among it, which tables are delivered and which of their columns.
     */
    private volatile ReplicationSetup.Result found;
    /** Set once a binary stream met a column it cannot decode: text mode for the rest of the consumer's life. */
    private volatile boolean textValues;

    /**
     * @param snapshotWorkers runs the snapshot's parallel readers and the online backfills' workers (Camel's thread
     *                        pools, given by the Camel side)
     */
    public ReplicationSession(SessionOptions options, BatchDispatcher dispatcher, SessionListener listener,
                              Executor snapshotWorkers) {
        this(options, dispatcher, listener, () -> SessionSetup.run(options),
                new StreamOpener(options)::open,
                scope -> SnapshotSource.of(options.connection(), options.slot(), scope, snapshotWorkers),
                snapshotWorkers);
    }

    /**
     * With the server side given: what tests use to run the session against fakes.
     *
     * @param backfillWorkers runs the online backfills' workers
     */
    ReplicationSession(SessionOptions options, BatchDispatcher dispatcher, SessionListener listener, Setup setup,
                       Opener opener, Function<SnapshotScope, SnapshotSource> snapshots, Executor backfillWorkers) {
        this.backfillWorkers = backfillWorkers;
        this.options = options;
        this.dispatcher = dispatcher;
        this.listener = listener;
        this.setup = setup;
        this.opener = opener;
        this.snapshots = snapshots;
        this.offsets = new OffsetRecorder(options.offsets(), options.slot(), options.stream().statusInterval(),
                System::nanoTime);
    }

    /** What the session does now, as one consistent value. */
    public SessionStatus status() {
        return board.current();
    }

    /** Checks and creates server objects, once; the consumer calls it at start so configuration errors fail it. */
    public void setup() throws SQLException {
        ReplicationSetup.Result result = setup.run();
        snapshotPending = result.slot() == null;
        if (!confirmed.isValid() && result.slot() != null && result.slot().confirmedFlushLsn() != null) {
            confirmed = result.slot().confirmedFlushLsn();
        }
        found = result;
    }

    /**
     * The reconnect loop. Every failure but an {@link Error} is retried with backoff, the transient ones and those an
     * operator must fix alike, so a fix is picked up without a restart; the listener hears of each with its
     * classification. An Error (an OutOfMemoryError above all) stops the session for good: a retry would meet the same
     * limit, and each attempt would deliver the same batches again.
     */
    @Override
    public void run() {
        thread = Thread.currentThread();
        Duration delay = options.reconnect().delay();
        int attempt = 0;
        try {
            while (running) {
                try {
                    if (found == null) {
                        setup();
                    }
                    boolean ready = !snapshotPending || snapshot();
                    if (ready && options.snapshot().mode() == SnapshotMode.INITIAL_ONLY) {
                        running = false;
                        board.update(s -> s.inState(SessionStatus.State.FINISHED));
                        listener.onFinished(finishedReason());
                        return;
                    }
                    if (ready && stream()) {
                        delay = options.reconnect().delay();
                        attempt = 0;
                    }
                } catch (Throwable e) {
                    Failure failure = Failure.of(options.slot(), options.publication(), e);
                    if (failure.isFatal()) {
                        stopFor(failure);
                        return;
                    }
                    if (!running) {
                        return;
                    }
                    int failed = ++attempt;
                    board.update(s -> s.failed(failure.error(), failed));
                    listener.onFailure(failure, failed, delay);
                }
                if (running) {
                    sleep(delay);
                    delay = min(delay.multipliedBy(2), options.reconnect().maxDelay());
                }
            }
        } finally {
            SessionStatus.State state = board.current().state();
            if (state != SessionStatus.State.FINISHED && state != SessionStatus.State.FAILED) {
                board.update(s -> s.inState(SessionStatus.State.STOPPED));
            }
        }
    }

    /**
     * Stops for good after an Error. By now the stream is closed and the batches that routes completed are confirmed
     * (the stream's own cleanup did that), or, in a snapshot, no slot was made.
     */
    private void stopFor(Failure fatal) {
        running = false;
        Throwable explained = FatalErrors.explain(options, fatal.error(), snapshotPending, confirmed);
        board.update(s -> s.stoppedBy(explained));
        listener.onStopped(new Failure(explained, Failure.Kind.FATAL));
    }

    /** Stops reading; the session finishes in-flight batches, confirms them and closes the connection. */
    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Takes the initial snapshot, which creates the slot. False when it did not complete (stopped, or a batch
     * failed): no slot exists then, and the next attempt takes the whole snapshot again.
     */
    private boolean snapshot() throws SQLException, InterruptedException {
        SnapshotSource source = snapshots.apply(scope(found.tables(), found.server()));
        if (source.slotExists()) {
            // Made meanwhile by another consumer of the same slot (e.g. a standby that took over): stream it.
            LOG.warn("slot={} the slot appeared while its snapshot was pending; streaming it without a snapshot",
                    options.slot());
            snapshotPending = false;
            return true;
        }
        Lsn point;
        board.update(s -> s.inState(SessionStatus.State.SNAPSHOT));
        try {
            point = new InitialSnapshot(options.slot(), source, dispatcher, () -> running,
                    found.failover(options.setup())).run();
        } finally {
            board.update(SessionStatus::snapshotEnded);
        }
        if (point == null) {
            return false;
        }
        snapshotPending = false;
        confirmed = point;
        board.update(s -> s.confirmedAt(point));
        if (found.publicationExisted()) {
            LOG.warn("slot={} the initial snapshot created the replication slot at {}, although publication {} already"
                     + " existed: if a slot of this name existed before (a failover without failover slots, a manual"
                     + " drop), the changes committed between its last confirmed position and {} came only as the"
                     + " snapshot's rows (rows deleted meanwhile were not delivered as deletes). {}", options.slot(),
                    point, options.publication(), point, LostSlot.unnoticed(options.offsets()));
        }
        return true;
    }

    /** What a snapshot of the tables {@code tables} accepts reads, and how. */
    private SnapshotScope scope(TableFilter tables, ServerCapabilities on) {
        return new SnapshotScope(options.publication(), tables, found.columns(), on, options.snapshot().parallelism(),
                options.batching().size(), options.batching().maxBytes());
    }

    private String finishedReason() {
        return confirmed.isValid()
                ? "snapshotMode=initialOnly: the snapshot is complete, the route stops. The slot stays at its"
                  + " consistent point " + confirmed + " and retains WAL from there until a consumer"
                  + " streams it (snapshotMode=never) or operation=dropSlot drops it"
                : "snapshotMode=initialOnly: the slot already exists, so there is no snapshot to take (one is only"
                  + " taken when the consumer creates the slot); the route stops. Drop the slot (operation=dropSlot"
                  + " or reset=true) to take a new snapshot";
    }

    /** One stream from the confirmed position; true when it confirmed something (which resets the backoff). */
    private boolean stream() throws SQLException {
        StreamRun run = new StreamRun(options, opener, offsets, board, dispatcher,
                (tables, on) -> snapshots.apply(scope(tables, on)), backfillWorkers, () -> running, confirmed,
                textValues);
        try {
            return run.run(found.tables(), found.columns());
        } finally {
            confirmed = run.confirmed();
            textValues = run.textValues();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void sleep(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        while (running) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(left);
        }
    }
}
