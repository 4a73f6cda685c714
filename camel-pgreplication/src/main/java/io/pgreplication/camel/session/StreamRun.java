package io.pgreplication.camel.session;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.FollowedTables;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream of a {@link ReplicationSession}, from opening the replication connection to closing it: the read loop
 * with its flush tracker, status reporter and backfill workers; when the loop ends, for whatever reason, the batches
 * no route was given are let go, the ones inside routes finish and are confirmed (docs/delivery.md, "Stop and
 * restart"), and {@link #confirmed()} says where the next stream starts.
 */
final class StreamRun {

    private static final Logger LOG = LoggerFactory.getLogger(StreamRun.class);
    /** How long a stream that ends waits for its backfill workers to stop. */
    private static final Duration BACKFILL_STOP_WAIT = Duration.ofSeconds(30);

    private final SessionOptions options;
    private final ReplicationSession.Opener opener;
    private final OffsetRecorder offsets;
    private final StatusBoard board;
    private final BatchDispatcher dispatcher;
    private final BiFunction<TableFilter, ServerCapabilities, SnapshotSource> snapshots;
    private final Executor backfillWorkers;
    private final BooleanSupplier running;
    private Lsn confirmed;
    private boolean textValues;

    /**
     * @param from       where the stream starts: the position known confirmed
     * @param textValues true once a binary stream met a column it cannot decode
     * @param snapshots  the snapshot of some tables on the server the stream reached, for online backfills
     */
    StreamRun(SessionOptions options, ReplicationSession.Opener opener, OffsetRecorder offsets, StatusBoard board,
              BatchDispatcher dispatcher, BiFunction<TableFilter, ServerCapabilities, SnapshotSource> snapshots,
              Executor backfillWorkers, BooleanSupplier running, Lsn from, boolean textValues) {
        this.options = options;
        this.opener = opener;
        this.offsets = offsets;
        this.board = board;
        this.dispatcher = dispatcher;
        this.snapshots = snapshots;
        this.backfillWorkers = backfillWorkers;
        this.running = running;
        this.confirmed = from;
        this.textValues = textValues;
    }

    /**
     * Streams until stopped or until a batch fails. Returns true when at least one transaction was confirmed, which
     * resets the reconnect backoff.
     */
    boolean run(FollowedTables tables, IncludeColumns columns) throws SQLException {
        try (OpenedStream opened = opener.open(confirmed, textValues, tables)) {
            Lsn started = opened.start();
            offsets.streaming(opened.identity(), started);
            FlushTracker tracker = new FlushTracker(started.value());
            StatusReporter status = new StatusReporter(options.slot(), opened.stream(), tracker,
                    options.stream().flushSlot(), board, started, offsets);
            BackfillWorkers backfills = new BackfillWorkers(options.slot(), backfillWorkers,
                    b -> snapshots.apply(b.filter(), opened.server()), dispatcher,
                    () -> !running.getAsBoolean() || tracker.hasFailed());
            ReadLoop loop = new ReadLoop(opened, options, tables, columns, tracker, dispatcher, status, board,
                    running, backfills);
            board.update(s -> s.streaming(opened.server().protocolVersion()));
            LOG.info("slot={} streaming publication {} from {} (protocol {})", options.slot(), options.publication(),
                    started, opened.server().protocolVersion());
            ReadLoop.Outcome outcome;
            try {
                outcome = loop.run();
            } finally {
                // Batches no route was given come again from the server; let go of them before waiting for the
                // routes, which matters most when the loop ended with an OutOfMemoryError.
                loop.dropUndelivered();
                // A backfill cut short with its stream is read again by the next one: its request is not confirmed.
                backfills.stop(BACKFILL_STOP_WAIT);
                board.update(s -> s.backfilling(null));
                status.finish(dispatcher, opened.keepalive());
                confirmed = status.confirmed();
            }
            if (outcome == ReadLoop.Outcome.TEXT_VALUES) {
                textValues = true;
                LOG.warn("slot={} {}; reconnecting with text values (for the rest of this consumer's life)",
                        options.slot(), loop.textValuesReason());
            }
            if (outcome == ReadLoop.Outcome.BACKFILL_FAILED) {
                LOG.warn("slot={} a backfill failed; the slot stays at {}, before its request, which is read again"
                         + " after reconnecting", options.slot(), confirmed);
                throw rethrowable(loop.backfillFailure());
            }
            if (tracker.hasFailed()) {
                LOG.warn("slot={} a batch failed; the slot stays at {} and the changes after it are streamed again"
                         + " after {} ms", options.slot(), confirmed, options.reconnect().delay().toMillis());
            }
            return !confirmed.equals(started);
        }
    }

    /** The newest position known confirmed to the server: where the next stream starts. */
    Lsn confirmed() {
        return confirmed;
    }

    /** True once a binary stream met a column it cannot decode: text values for the rest of the consumer's life. */
    boolean textValues() {
        return textValues;
    }

    /** The failure of a backfill, thrown from the stream so the session reports and retries it like its own. */
    private static RuntimeException rethrowable(Throwable e) throws SQLException {
        if (e instanceof SQLException sql) {
            throw sql;
        }
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        if (e instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(e);
    }
}
