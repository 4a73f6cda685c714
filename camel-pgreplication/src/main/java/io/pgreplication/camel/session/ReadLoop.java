package io.pgreplication.camel.session;

import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.pgreplication.camel.batch.Batcher;
import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.pgoutput.PgOutputDecoder;
import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.table.FollowedTables;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableFilter;

/**
 * The read loop of one replication stream: reads a message, decodes it, lets the assembler turn it into events for
 * the batcher, and hands the batches the batcher closed to the routes ({@link BatchHandOff}, which keeps the
 * connection alive while the routes have no room). Data flows one way, from the decoder through the assembler (and
 * {@link Backfills}) to the batcher; no stage calls back into the loop, which ends by returning an {@link Outcome},
 * never by an exception from a stage.
 */
final class ReadLoop {

    /**
     * When the server has nothing more buffered, pgjdbc's readPending waits on the socket (up to 1 ms) and returns
     * the next message the moment it arrives. A reader that has caught up with the walsender then takes one wake-up,
     * one read and one TCP ACK per message, which costs the walsender, on the same cores, more than its decoding:
     * on 2 vCPUs single-row transactions ran at half the speed. After a read that had to wait, the reader therefore
     * pauses this long so the messages that follow arrive together and are read in one go: at most this much latency,
     * for far less CPU on both sides (docs/benchmarks.md, "Reading in bursts").
     */
    static final long COALESCE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** A readPending call that took longer than this waited on the socket for its message. */
    private static final long WAITED_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long MAX_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /**
     * Once the server has closed the connection (a shutdown, a switchover), pgjdbc's non-blocking read finds nothing
     * and says nothing: only a write fails. So while nothing arrives, the reader sends a status update at least this
     * often, and a server that went away is noticed within a second or two instead of at the next statusInterval.
     */
    private static final long IDLE_STATUS_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a stopping loop keeps reading to reach the Commit of the transaction it is in. */
    private static final long STOP_DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Time and confirmation checks every this many messages keep locks and clocks off the per-change path. */
    private static final int CHECK_EVERY = 256;

    /** Why the loop ended. */
    enum Outcome {
        /** The session stops: the loop read on to the end of the open transaction, or gave up waiting for it. */
        STOPPED,
        /** A batch failed: the slot stays at the last completed transaction and the stream is reopened. */
        BATCH_FAILED,
        /** A binary stream met a column it cannot decode: reopen it with text values. */
        TEXT_VALUES,
        /** An online backfill failed ({@link #backfillFailure()}): the stream restarts from before its request. */
        BACKFILL_FAILED
    }

    private final String slot;
    private final ReplicationStream stream;
    private final Catalog catalog;
    private final TableFilter filter;
    private final RelationWatch relations;
    private final boolean binary;
    private final FlushTracker tracker;
    private final Batcher batcher;
    private final Backfills backfills;
    private final BatchHandOff handOff;
    private final EventAssembler assembler;
    private final PgOutputDecoder decoder = new PgOutputDecoder();
    private final BatchDispatcher dispatcher;
    private final StatusReporter status;
    private final StatusBoard board;
    private final Liveness liveness;
    private final Duration keepalive;
    private final BooleanSupplier running;
    private String textValuesReason;

    /** @param backfills starts the online backfills requested in the stream */
    ReadLoop(OpenedStream opened, SessionOptions options, FollowedTables filter, IncludeColumns columns,
             FlushTracker tracker, BatchDispatcher dispatcher, StatusReporter status, StatusBoard board,
             BooleanSupplier running, Backfills.Launcher backfills) {
        this.slot = options.slot();
        this.stream = opened.stream();
        this.catalog = opened.catalog();
        this.binary = opened.binary();
        this.liveness = opened.liveness();
        this.keepalive = opened.keepalive();
        this.filter = filter;
        this.relations = new RelationWatch(slot, filter, columns);
        this.tracker = tracker;
        this.dispatcher = dispatcher;
        this.status = status;
        this.board = board;
        this.running = running;
        this.batcher = new Batcher(options.batching().size(), options.batching().maxBytes(),
                options.batching().timeout(), System::nanoTime, tracker);
        this.backfills = new Backfills(slot, batcher, tracker, filter, catalog::tableOid, backfills, board,
                options.batching().size() * Backfills.HELD_FACTOR, options.batching().maxBytes());
        this.assembler = new EventAssembler(filter, columns, catalog, catalog, options.stream().messages(),
                this.backfills);
        this.handOff = new BatchHandOff(slot, this.backfills, batcher, dispatcher, status, tracker, running,
                keepalive);
    }

    /** Reads until the session stops, a batch fails or the stream must switch to text values. */
    Outcome run() throws SQLException {
        long idleNanos = 0;
        int sinceCheck = 0;
        long drainUntil = 0;
        boolean heard = false;
        boolean coalesce = false;
        long lastIdleStatus = System.nanoTime();
        long idleStatusNanos = Math.min(IDLE_STATUS_NANOS, keepalive.toNanos());
        while (true) {
            if (!running.getAsBoolean()) {
                // A stop between a transaction's last batch and its Commit would leave the slot one transaction
                // behind: read on briefly for the Commit, so what the routes finish can be confirmed.
                if (!assembler.inTransaction()) {
                    return Outcome.STOPPED;
                }
                if (drainUntil == 0) {
                    drainUntil = System.nanoTime() + STOP_DRAIN_NANOS;
                } else if (System.nanoTime() - drainUntil > 0) {
                    return Outcome.STOPPED;
                }
            }
            if (backfills.mustPause() && !handOff.awaitBackfill()) {
                return ended();
            }
            if (coalesce) {
                coalesce = false;
                LockSupport.parkNanos(COALESCE_NANOS);
            }
            long before = System.nanoTime();
            ByteBuffer payload = stream.readPending();
            // Caught up: the next messages are read in one burst, a moment later (COALESCE_NANOS).
            coalesce = payload != null && System.nanoTime() - before > WAITED_NANOS;
            if (payload != null) {
                long lsn = stream.lastReceiveLsn();
                PgOutputMessage message = decoder.decode(payload, lsn);
                if (message instanceof PgOutputMessage.Relation relation && !accept(relation)) {
                    return Outcome.TEXT_VALUES;
                }
                assembler.accept(message, lsn);
                idleNanos = 0;
                heard = true;
                if (++sinceCheck >= CHECK_EVERY) {
                    sinceCheck = 0;
                    board.received(lsn);
                    batcher.closeDue();
                }
                if (backfills.hasReady() && !handOff.handOffClosed()) {
                    return ended();
                }
                if (sinceCheck != 0) {
                    continue;
                }
            } else {
                long received = stream.lastReceiveLsn();
                board.received(received);
                liveness.onIdle(heard, received);
                heard = false;
                if (batcher.buffered() > 0 && dispatcher.isIdle()) {
                    // Read everything the server sent and no route is busy: waiting for batchTimeout would only
                    // add latency. Under load routes are busy, so batches still fill up to batchSize.
                    batcher.closeAll();
                } else {
                    batcher.closeDue();
                }
                if (backfills.hasReady() && !handOff.handOffClosed()) {
                    return ended();
                }
                if (!assembler.inTransaction() && batcher.buffered() == 0) {
                    // Between transactions with nothing pending: the server's position may be confirmed.
                    tracker.idleAt(stream.lastReceiveLsn());
                }
                long now = System.nanoTime();
                if (now - lastIdleStatus >= idleStatusNanos) {
                    status.keepAlive();
                    lastIdleStatus = now;
                }
                idleNanos = Math.min(Math.max(idleNanos * 2, 100_000), MAX_IDLE_PARK_NANOS);
                long due = batcher.nanosUntilDue();
                LockSupport.parkNanos(due >= 0 ? Math.min(idleNanos, Math.max(due, 50_000)) : idleNanos);
            }
            backfills.step();
            if (backfills.failure() != null) {
                return Outcome.BACKFILL_FAILED;
            }
            if (backfills.hasReady() && !handOff.handOffClosed()) {
                return ended();
            }
            if (tracker.hasFailed()) {
                return Outcome.BATCH_FAILED;
            }
            status.report();
        }
    }

    /** After {@link Outcome#BACKFILL_FAILED}: why. */
    Throwable backfillFailure() {
        return backfills.failure();
    }

    /** After the loop: forgets the batches not handed to the dispatcher, held ones too; they stay unconfirmed. */
    void dropUndelivered() {
        batcher.dropAll();
        backfills.dropAll();
    }

    /** After {@link Outcome#TEXT_VALUES}: the columns that made it so. */
    String textValuesReason() {
        return textValuesReason;
    }

    /** DDL may have changed types: read them again; a binary stream ends at a column it cannot decode. */
    private boolean accept(PgOutputMessage.Relation relation) {
        catalog.forgetTypes();
        relations.onRelation(relation);
        if (binary) {
            List<String> undecodable = BinaryValues.undecodable(relation, filter, catalog);
            if (!undecodable.isEmpty()) {
                textValuesReason = "no exact binary decoder for " + undecodable;
                return false;
            }
        }
        return true;
    }

    private Outcome ended() {
        if (backfills.failure() != null) {
            return Outcome.BACKFILL_FAILED;
        }
        return tracker.hasFailed() ? Outcome.BATCH_FAILED : Outcome.STOPPED;
    }
}
