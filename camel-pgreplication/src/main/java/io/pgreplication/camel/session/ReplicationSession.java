package io.pgreplication.camel.session;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.admin.ServerAdmin;
import io.pgreplication.camel.admin.SlotAdmin;
import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.batch.Batcher;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.event.TableShape;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.pgoutput.PgOutputDecoder;
import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.server.Errors;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.Identifiers;
import io.pgreplication.camel.table.TableSpec;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication connection of one consumer. One thread owns it: it reads, decodes, batches, hands batches to the
 * {@link BatchDispatcher}, sends status updates (also while waiting for a slow route) and reconnects with backoff
 * after a lost connection or a failed batch, resuming from the confirmed position (docs/delivery.md).
 */
public final class ReplicationSession implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSession.class);
    /**
     * When the server has nothing more buffered, pgjdbc's readPending waits on the socket (up to 1 ms) and returns
     * the next message the moment it arrives. A reader that has caught up with the walsender then takes one wake-up,
     * one read and one TCP ACK per message, which costs the walsender, on the same cores, more than its decoding:
     * on 2 vCPUs single-row transactions ran at half the speed. After a read that had to wait, the reader therefore
     * pauses this long so the messages that follow arrive together and are read in one go: at most this much latency,
     * for far less CPU on both sides (docs/benchmarks.md, "Reading in bursts").
     */
    private static final long COALESCE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** A readPending call that took longer than this waited on the socket for its message. */
    private static final long WAITED_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long MAX_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long a stopping session keeps reading to reach the Commit of the transaction it is in. */
    private static final long STOP_DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final SessionOptions options;
    private final BatchDispatcher dispatcher;
    private final SessionState state;
    private final EventAssembler.TableFilter filter;
    private volatile boolean running = true;
    private volatile Thread thread;
    /** The newest position known confirmed to the server; where the next connection starts. */
    private volatile long confirmed;
    /** The slot is missing and the snapshot mode asks for a snapshot that creates it. */
    private volatile boolean snapshotPending;
    private volatile ServerCapabilities server;
    /** Set once a binary stream met a column it cannot decode: text mode for the rest of the consumer's life. */
    private volatile boolean textValues;

    public ReplicationSession(SessionOptions options, BatchDispatcher dispatcher, SessionState state) {
        this.options = options;
        this.dispatcher = dispatcher;
        this.state = state;
        List<TableSpec> tables = options.tables();
        this.filter = tables.isEmpty() ? (schema, table) -> true
                : (schema, table) -> tables.stream().anyMatch(t -> t.matches(schema, table));
    }

    /** Checks and creates server objects once, on the caller's thread; configuration errors surface here. */
    public ReplicationSetup.Result setup() throws SQLException {
        ReplicationSetup.Result result = ReplicationSetup.run(options.connection(), options.setup(),
                options.snapshotMode() != SnapshotMode.NEVER);
        ReplicationSetup.checkIncludeColumns(options.connection(), options.slot(), options.includeColumns());
        checkMessagesSupported(options.slot(), options.messages(), result.server());
        server = result.server();
        snapshotPending = result.slot() == null;
        state.onSetup(result);
        return result;
    }

    /** pgoutput's messages option exists from PostgreSQL 14 on; an older server would reject the stream. */
    static void checkMessagesSupported(String slot, boolean messages, ServerCapabilities server) {
        if (messages && !server.messages()) {
            throw new PgReplicationSetupException("slot=" + slot + ": option messages=true needs PostgreSQL 14 or"
                                                  + " newer (pgoutput's messages option); this server is "
                                                  + server.describe() + ". Remove messages=true, or upgrade the server");
        }
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        long delay = options.reconnectDelayMillis();
        boolean setUp = state.isSetUp();
        int attempt = 0;
        while (running) {
            try {
                if (!setUp) {
                    setup();
                    setUp = true;
                }
                boolean ready = !snapshotPending || snapshot();
                if (ready && options.snapshotMode() == SnapshotMode.INITIAL_ONLY) {
                    running = false;
                    state.onFinished(finishedReason());
                    break;
                }
                if (ready && stream()) {
                    delay = options.reconnectDelayMillis();
                    attempt = 0;
                }
            } catch (Throwable e) {
                if (!running) {
                    break;
                }
                attempt++;
                Throwable error = Errors.explainStreamFailure(options.slot(), options.publication(), e);
                state.onError(error, attempt, delay, Errors.isTransient(error));
            }
            if (running) {
                sleep(delay);
                delay = Math.min(delay * 2, options.maxReconnectDelayMillis());
            }
        }
    }

    /**
     * Takes the initial snapshot, which creates the slot. False when it did not complete (stopped, or a batch
     * failed): no slot exists then, and the next attempt takes the whole snapshot again.
     */
    private boolean snapshot() throws SQLException, InterruptedException {
        try (Connection c = options.connection().openRegular("camel-pgreplication setup " + options.slot())) {
            if (new SlotAdmin(c).slot(options.slot()).isPresent()) {
                // Made meanwhile by another consumer of the same slot (e.g. a standby that took over): stream it.
                LOG.warn("slot={} the slot appeared while its snapshot was pending; streaming it without a snapshot",
                        options.slot());
                snapshotPending = false;
                return true;
            }
        }
        Lsn point;
        state.onSnapshot(true);
        try {
            point = new InitialSnapshot(options, dispatcher, () -> running).run(server, filter);
        } finally {
            state.onSnapshot(false);
        }
        if (point == null) {
            return false;
        }
        snapshotPending = false;
        confirmed = point.value();
        state.onConfirmed(point.value());
        return true;
    }

    private String finishedReason() {
        return confirmed != 0
                ? "snapshotMode=initialOnly: the snapshot is complete, the route stops. The slot stays at its"
                  + " consistent point " + Lsn.format(confirmed) + " and retains WAL from there until a consumer"
                  + " streams it (snapshotMode=never) or operation=dropSlot drops it"
                : "snapshotMode=initialOnly: the slot already exists, so there is no snapshot to take (one is only"
                  + " taken when the consumer creates the slot); the route stops. Drop the slot (operation=dropSlot"
                  + " or reset=true) to take a new snapshot";
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
     * Streams until stopped or until a batch fails. Returns true when at least one transaction was confirmed, which
     * resets the reconnect backoff.
     */
    private boolean stream() throws SQLException, InterruptedException {
        try (Connection connection = options.connection().openReplication("camel-pgreplication " + options.slot());
             Catalog catalog = new Catalog(options.connection(), options.slot())) {
            ServerCapabilities version = ServerCapabilities.of(connection);
            FlushTracker tracker = new FlushTracker(confirmed);
            long timeoutMillis = walSenderTimeoutMillis(connection);
            long keepalive = keepaliveNanos(timeoutMillis);
            boolean binary = binaryValues(version, catalog);
            PGReplicationStream stream = start(connection, version, binary, catalog);
            long started = confirmed;
            Reader reader = new Reader(stream, tracker, catalog, keepalive, binary, new StreamLiveness(
                    options.connection(), options.slot(), connection.unwrap(PGConnection.class).getBackendPID(),
                    timeoutMillis));
            state.onStreaming(version.versionNum(), version.protocolVersion());
            LOG.info("slot={} streaming publication {} from {} (protocol {})", options.slot(), options.publication(),
                    Lsn.format(confirmed), version.protocolVersion());
            try {
                reader.loop();
            } catch (Interrupted e) {
                // stopping, or a batch failed while the reader waited for room: handled below
            } catch (BinaryValues.SwitchToText e) {
                textValues = true;
                LOG.warn("slot={} {}; reconnecting with text values (for the rest of this consumer's life)",
                        options.slot(), e.getMessage());
            } finally {
                finish(stream, tracker, keepalive);
            }
            if (tracker.hasFailed()) {
                LOG.warn("slot={} a batch failed; the slot stays at {} and the changes after it are streamed again"
                         + " after {} ms", options.slot(), Lsn.format(confirmed), options.reconnectDelayMillis());
            }
            return confirmed != started;
        }
    }

    /**
     * How long the reader may go without talking to the server while routes are busy: well inside the server's
     * wal_sender_timeout (which a role or database may lower), and no longer than statusInterval.
     */
    private long keepaliveNanos(long timeoutMillis) {
        long millis = timeoutMillis <= 0 ? options.statusIntervalMillis()
                : Math.min(options.statusIntervalMillis(), timeoutMillis / 4);
        return TimeUnit.MILLISECONDS.toNanos(Math.max(50, millis));
    }

    private long walSenderTimeoutMillis(Connection connection) {
        try {
            return new ServerAdmin(connection).walSenderTimeout().toMillis();
        } catch (SQLException e) {
            LOG.debug("slot={} cannot read wal_sender_timeout, assuming 60s: {}", options.slot(), e.getMessage());
            return 60_000;
        }
    }

    /**
     * Binary values when the options ask for them (PostgreSQL 14+) and every delivered column's type decodes exactly
     * from its binary form; the choice and its reason are logged.
     */
    private boolean binaryValues(ServerCapabilities version, Catalog catalog) throws SQLException {
        if (!options.binaryValuesFor(version)) {
            LOG.info("slot={} text values: {}", options.slot(), !version.binaryValues() ? "the server is older than"
                    + " PostgreSQL 14" : "binaryValues=false");
            return false;
        }
        if (textValues) {
            LOG.info("slot={} text values: a column added while streaming has a type without an exact binary"
                     + " decoder", options.slot());
            return false;
        }
        List<String> undecodable = BinaryValues.undecodable(catalog.publishedColumns(options.publication()), filter,
                catalog::type);
        if (!undecodable.isEmpty()) {
            LOG.info("slot={} text values: no exact binary decoder for {} (see docs/types.md)", options.slot(),
                    undecodable.size() > 5 ? undecodable.subList(0, 5) + " and " + (undecodable.size() - 5) + " more"
                            : undecodable);
            return false;
        }
        LOG.info("slot={} binary values: every published column's type decodes from its binary form",
                options.slot());
        return true;
    }

    private PGReplicationStream start(Connection connection, ServerCapabilities version, boolean binary, Catalog catalog)
            throws SQLException {
        try {
            return startStream(connection, version, binary);
        } catch (SQLException e) {
            if ("55006".equals(e.getSQLState())) {
                // Only one walsender may use a slot: say who holds it; the caller retries with backoff.
                throw new SQLException("slot=" + options.slot() + ": the replication slot is in use by "
                                       + catalog.describeHolder() + ". Another consumer (or a walsender that has not"
                                       + " exited yet) streams from it; retrying with backoff", "55006", e);
            }
            throw e;
        }
    }

    private PGReplicationStream startStream(Connection connection, ServerCapabilities version, boolean binary) throws SQLException {
        // pgjdbc wraps option values in single quotes without escaping them: double any quote ourselves.
        String publication = Identifiers.quote(options.publication()).replace("'", "''");
        ChainedLogicalStreamBuilder builder = connection.unwrap(PGConnection.class).getReplicationAPI()
                .replicationStream()
                .logical()
                .withSlotName(options.slot())
                .withStartPosition(LogSequenceNumber.valueOf(confirmed))
                .withSlotOption("proto_version", version.protocolVersion())
                .withSlotOption("publication_names", publication);
        if (binary) {
            builder.withSlotOption("binary", "true");
        }
        builder.withStatusInterval((int) options.statusIntervalMillis(), TimeUnit.MILLISECONDS)
                // The driver's keepalive flush can confirm changes a route has not finished.
                .withAutomaticFlush(false);
        if (options.messages()) {
            // PG14+ only (checked at setup): every server rejects an option it does not know.
            builder.withSlotOption("messages", true);
        }
        return builder.start();
    }


    /**
     * Lets batches already given to a route finish, keeping the connection alive meanwhile, then confirms what they
     * completed. Queued batches no route has started are dropped: they stay unconfirmed and are streamed again.
     */
    private void finish(PGReplicationStream stream, FlushTracker tracker, long keepaliveNanos) {
        dispatcher.discardQueued();
        try {
            while (!dispatcher.awaitIdle(keepaliveNanos)) {
                if (!stream.isClosed()) {
                    stream.forceUpdateStatus();
                }
            }
            report(stream, tracker);
            if (!stream.isClosed()) {
                stream.forceUpdateStatus();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            LOG.debug("slot={} could not send the final status update: {}", options.slot(), e.getMessage());
        }
    }

    private void report(PGReplicationStream stream, FlushTracker tracker) {
        long c = tracker.confirmed();
        if (Long.compareUnsigned(c, confirmed) > 0) {
            confirmed = c;
            state.onConfirmed(c);
        }
        if (options.flushSlot() && c != 0) {
            LogSequenceNumber lsn = LogSequenceNumber.valueOf(confirmed);
            stream.setFlushedLSN(lsn);
            stream.setAppliedLSN(lsn);
        }
    }

    private void sleep(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (running) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(left);
        }
    }

    /** The read loop of one connection. */
    private final class Reader implements EventAssembler.Listener {
        private final PGReplicationStream stream;
        private final FlushTracker tracker;
        private final PgOutputDecoder decoder = new PgOutputDecoder();
        private final EventAssembler assembler;
        private final Batcher batcher;
        private final long keepaliveNanos;
        private final StreamLiveness liveness;
        private final Catalog catalog;
        private final boolean binary;

        Reader(PGReplicationStream stream, FlushTracker tracker, Catalog catalog, long keepaliveNanos,
               boolean binary, StreamLiveness liveness) {
            this.stream = stream;
            this.liveness = liveness;
            this.keepaliveNanos = keepaliveNanos;
            this.tracker = tracker;
            this.catalog = catalog;
            this.binary = binary;
            this.assembler = new EventAssembler(filter, options.includeColumns()::columnsOf, catalog::primaryKey,
                    catalog::type, this);
            this.batcher = new Batcher(options.batchSize(), TimeUnit.MILLISECONDS.toNanos(options.batchTimeoutMillis()),
                    System::nanoTime, tracker, this::dispatch);
        }

        void loop() throws SQLException, InterruptedException {
            long idleNanos = 0;
            int sinceCheck = 0;
            long drainUntil = 0;
            boolean heard = false;
            boolean coalesce = false;
            while (true) {
                if (!running) {
                    // A stop between a transaction's last batch and its Commit would leave the slot one transaction
                    // behind: read on briefly for the Commit, so what the routes finish can be confirmed.
                    if (!assembler.inTransaction()) {
                        return;
                    }
                    if (drainUntil == 0) {
                        drainUntil = System.nanoTime() + STOP_DRAIN_NANOS;
                    } else if (System.nanoTime() - drainUntil > 0) {
                        return;
                    }
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
                    long lsn = stream.getLastReceiveLSN().asLong();
                    PgOutputMessage message = decoder.decode(payload, lsn);
                    if (message instanceof PgOutputMessage.Relation relation) {
                        onRelation(relation);
                    }
                    assembler.accept(message, lsn);
                    idleNanos = 0;
                    heard = true;
                    // Time and confirmation checks every 256 messages keep locks and clocks off the per-change path.
                    if (++sinceCheck < 256) {
                        continue;
                    }
                    sinceCheck = 0;
                    state.onReceived(lsn);
                    batcher.closeDue();
                } else {
                    state.onReceived(stream.getLastReceiveLSN().asLong());
                    liveness.onIdle(heard, stream.getLastReceiveLSN().asLong());
                    heard = false;
                    if (batcher.buffered() > 0 && dispatcher.isIdle()) {
                        // Read everything the server sent and no route is busy: waiting for batchTimeout would only
                        // add latency. Under load routes are busy, so batches still fill up to batchSize.
                        batcher.closeAll();
                    } else {
                        batcher.closeDue();
                    }
                    if (!assembler.inTransaction() && batcher.buffered() == 0) {
                        // Between transactions with nothing pending: the server's position may be confirmed.
                        tracker.idleAt(stream.getLastReceiveLSN().asLong());
                    }
                    idleNanos = Math.min(Math.max(idleNanos * 2, 100_000), MAX_IDLE_PARK_NANOS);
                    long due = batcher.nanosUntilDue();
                    LockSupport.parkNanos(due >= 0 ? Math.min(idleNanos, Math.max(due, 50_000)) : idleNanos);
                }
                if (tracker.hasFailed()) {
                    return;
                }
                report(stream, tracker);
            }
        }

        /** DDL may have changed types: read them again; a binary stream stops at a column it cannot decode. */
        private void onRelation(PgOutputMessage.Relation relation) {
            catalog.forgetTypes();
            if (binary) {
                List<String> undecodable = BinaryValues.undecodable(relation, filter, catalog::type);
                if (!undecodable.isEmpty()) {
                    throw new BinaryValues.SwitchToText("no exact binary decoder for " + undecodable);
                }
            }
        }

        @Override
        public void onChange(ChangeEvent event, TableShape shape, long transaction) {
            batcher.add(event, shape, transaction);
        }

        @Override
        public void onCommit(long transaction, long endLsn) {
            tracker.committed(transaction, endLsn);
        }

        /** Hands a batch to the routes, keeping the connection alive while they are busy. */
        private void dispatch(Batch batch) {
            try {
                while (!dispatcher.offer(batch, keepaliveNanos)) {
                    LOG.trace("slot={} routes are busy; keeping the connection alive while waiting", options.slot());
                    if (!running || tracker.hasFailed()) {
                        throw new Interrupted();
                    }
                    report(stream, tracker);
                    stream.forceUpdateStatus();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Interrupted();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Unwinds the read loop when a batch cannot be handed out because the session stops or failed. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super(null, null, false, false);
        }
    }
}
