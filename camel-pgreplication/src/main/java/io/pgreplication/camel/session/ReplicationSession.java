package io.pgreplication.camel.session;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.pgreplication.camel.admin.ConnectionSettings;
import io.pgreplication.camel.admin.Errors;
import io.pgreplication.camel.admin.Identifiers;
import io.pgreplication.camel.admin.ReplicationAdmin;
import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.admin.SlotInfo;
import io.pgreplication.camel.admin.TableSpec;
import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.batch.Batcher;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.event.TableShape;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.pgoutput.PgOutputDecoder;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication connection of one consumer. One thread owns it: it reads, decodes, batches, hands batches to the
 * {@link BatchDispatcher}, sends status updates (also while waiting for a slow route) and reconnects with backoff
 * after a lost connection or a failed batch, resuming from the confirmed position (SPEC §5).
 */
public final class ReplicationSession implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSession.class);
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
    private volatile int serverVersion;

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
        serverVersion = result.serverVersion();
        snapshotPending = result.slot() == null;
        state.onSetup(result);
        return result;
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
                state.onError(e, attempt, delay, Errors.isTransient(e));
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
            if (new ReplicationAdmin(c).slot(options.slot()).isPresent()) {
                // Made meanwhile by another consumer of the same slot (e.g. a standby that took over): stream it.
                LOG.warn("slot={} the slot appeared while its snapshot was pending; streaming it without a snapshot",
                        options.slot());
                snapshotPending = false;
                return true;
            }
        }
        long point = new InitialSnapshot(options, dispatcher, () -> running).run(serverVersion, filter);
        if (point == -1) {
            return false;
        }
        snapshotPending = false;
        confirmed = point;
        state.onConfirmed(point);
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
             PrimaryKeys primaryKeys = new PrimaryKeys(options.connection(), options.slot())) {
            int version = connection.unwrap(BaseConnection.class).getQueryExecutor().getServerVersionNum();
            FlushTracker tracker = new FlushTracker(confirmed);
            long keepalive = keepaliveNanos(connection);
            PGReplicationStream stream = start(connection, version, primaryKeys);
            long started = confirmed;
            Reader reader = new Reader(stream, tracker, primaryKeys, keepalive);
            state.onStreaming(version, protocolVersion(version));
            LOG.info("slot={} streaming publication {} from {} (protocol {})", options.slot(), options.publication(),
                    Lsn.format(confirmed), protocolVersion(version));
            try {
                reader.loop();
            } catch (Interrupted e) {
                // stopping, or a batch failed while the reader waited for room: handled below
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
    private long keepaliveNanos(Connection connection) {
        long timeoutMillis;
        try {
            timeoutMillis = new ReplicationAdmin(connection).walSenderTimeoutMillis();
        } catch (SQLException e) {
            LOG.debug("slot={} cannot read wal_sender_timeout, assuming 60s: {}", options.slot(), e.getMessage());
            timeoutMillis = 60_000;
        }
        long millis = timeoutMillis <= 0 ? options.statusIntervalMillis()
                : Math.min(options.statusIntervalMillis(), timeoutMillis / 4);
        return TimeUnit.MILLISECONDS.toNanos(Math.max(50, millis));
    }

    private PGReplicationStream start(Connection connection, int version, PrimaryKeys keys) throws SQLException {
        try {
            return startStream(connection, version);
        } catch (SQLException e) {
            if ("55006".equals(e.getSQLState())) {
                // Only one walsender may use a slot: say who holds it; the caller retries with backoff.
                throw new SQLException("slot=" + options.slot() + ": the replication slot is in use by "
                                       + keys.describeHolder() + ". Another consumer (or a walsender that has not"
                                       + " exited yet) streams from it; retrying with backoff", "55006", e);
            }
            throw e;
        }
    }

    private PGReplicationStream startStream(Connection connection, int version) throws SQLException {
        // pgjdbc wraps option values in single quotes without escaping them: double any quote ourselves.
        String publication = Identifiers.quote(options.publication()).replace("'", "''");
        return connection.unwrap(PGConnection.class).getReplicationAPI()
                .replicationStream()
                .logical()
                .withSlotName(options.slot())
                .withStartPosition(LogSequenceNumber.valueOf(confirmed))
                .withSlotOption("proto_version", protocolVersion(version))
                .withSlotOption("publication_names", publication)
                .withStatusInterval((int) options.statusIntervalMillis(), TimeUnit.MILLISECONDS)
                // The driver's keepalive flush can confirm changes a route has not finished (research §3.5).
                .withAutomaticFlush(false)
                .start();
    }

    /** proto_version from the server version: 14 knows 2, 15 knows 3, 16+ know 4. */
    public static int protocolVersion(int serverVersion) {
        if (serverVersion >= 160000) {
            return 4;
        }
        if (serverVersion >= 150000) {
            return 3;
        }
        return serverVersion >= 140000 ? 2 : 1;
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

        Reader(PGReplicationStream stream, FlushTracker tracker, PrimaryKeys primaryKeys, long keepaliveNanos) {
            this.stream = stream;
            this.keepaliveNanos = keepaliveNanos;
            this.tracker = tracker;
            this.assembler = new EventAssembler(filter, primaryKeys::lookup, this);
            this.batcher = new Batcher(options.batchSize(), TimeUnit.MILLISECONDS.toNanos(options.batchTimeoutMillis()),
                    System::nanoTime, tracker, this::dispatch);
        }

        void loop() throws SQLException, InterruptedException {
            long idleNanos = 0;
            int sinceCheck = 0;
            long drainUntil = 0;
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
                ByteBuffer payload = stream.readPending();
                if (payload != null) {
                    long lsn = stream.getLastReceiveLSN().asLong();
                    assembler.accept(decoder.decode(payload, lsn), lsn);
                    idleNanos = 0;
                    // Time and confirmation checks every 256 messages keep locks and clocks off the per-change path.
                    if (++sinceCheck < 256) {
                        continue;
                    }
                    sinceCheck = 0;
                    batcher.closeDue();
                } else {
                    batcher.closeDue();
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

    /** Primary keys by relation OID, looked up on a lazily opened regular connection (REPLICA IDENTITY FULL). */
    private static final class PrimaryKeys implements AutoCloseable {
        private final ConnectionSettings settings;
        private final String slot;
        private final Map<Integer, List<String>> cache = new HashMap<>();
        private Connection connection;

        PrimaryKeys(ConnectionSettings settings, String slot) {
            this.settings = settings;
            this.slot = slot;
        }

        List<String> lookup(int oid) {
            return cache.computeIfAbsent(oid, o -> {
                try {
                    if (connection == null) {
                        connection = settings.openRegular("camel-pgreplication keys " + slot);
                    }
                    return new ReplicationAdmin(connection).primaryKey(o);
                } catch (SQLException e) {
                    throw new IllegalStateException("slot=" + slot + ": cannot read the primary key of relation " + o,
                            e);
                }
            });
        }

        /** The backend holding the slot, or "another process" when it cannot be found. */
        String describeHolder() {
            try {
                if (connection == null) {
                    connection = settings.openRegular("camel-pgreplication keys " + slot);
                }
                ReplicationAdmin admin = new ReplicationAdmin(connection);
                Integer pid = admin.slot(slot).map(SlotInfo::activePid).orElse(null);
                return pid == null ? "another process" : admin.describeBackend(pid);
            } catch (SQLException e) {
                return "another process";
            }
        }

        @Override
        public void close() throws SQLException {
            if (connection != null) {
                connection.close();
            }
        }
    }
}
