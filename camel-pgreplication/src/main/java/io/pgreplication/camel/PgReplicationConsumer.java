package io.pgreplication.camel;

import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.Errors;
import io.pgreplication.camel.session.ReplicationSession;
import io.pgreplication.camel.session.SessionOptions;
import io.pgreplication.camel.session.SessionState;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the replication session of a {@code pgreplication:} endpoint. Configuration errors fail the start;
 * transient ones (server down, slot still held) do not: the session retries with backoff (docs/user-guide.md,
 * "Errors").
 */
@ManagedResource(description = "PostgreSQL logical replication consumer")
public class PgReplicationConsumer extends DefaultConsumer implements SessionState {

    private static final Logger LOG = LoggerFactory.getLogger(PgReplicationConsumer.class);

    private final SessionOptions options;
    private PgReplicationDispatcher dispatcher;
    private ReplicationSession session;
    private ExecutorService executor;
    private volatile boolean setUp;
    private volatile long confirmedLsn;
    private volatile boolean streaming;
    private volatile boolean snapshotting;
    private volatile int protocolVersion;
    private volatile long lastReceivedLsn;
    private volatile Throwable lastError;
    private volatile int reconnectAttempts;
    private final LongAdder changesDelivered = new LongAdder();
    private final Throughput throughput = new Throughput();
    private SlotMonitor monitor;

    public PgReplicationConsumer(PgReplicationEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.options = endpoint.options();
    }

    @Override
    public PgReplicationEndpoint getEndpoint() {
        return (PgReplicationEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        setUp = false;
        lastError = null;
        monitor = new SlotMonitor(options.connection(), options.slot(), options.publication());
        if (getEndpoint().getComponent().isHealthCheckConsumerEnabled() && getRouteId() != null) {
            setHealthCheck(new PgReplicationConsumerHealthCheck(this, getRouteId()));
        }
        dispatcher = new PgReplicationDispatcher(this, options);
        session = new ReplicationSession(options, dispatcher, this);
        try {
            session.setup();
        } catch (SQLException | RuntimeException e) {
            if (!Errors.isTransient(e)) {
                throw e;
            }
            LOG.warn("slot={} cannot reach {} yet ({}); the consumer starts and retries in the background",
                    options.slot(), options.connection(), e.getMessage());
        }
        dispatcher.start();
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "pgreplication-" + options.slot());
        executor.execute(session);
    }

    @Override
    protected void doStop() throws Exception {
        if (session != null) {
            // The session lets in-flight batches finish and confirms them before it closes the connection.
            session.stop();
        }
        if (executor != null) {
            executor.shutdown();
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("slot={} the replication session did not stop within 60 s", options.slot());
                getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(executor);
            }
            executor = null;
        }
        if (dispatcher != null) {
            dispatcher.stop();
        }
        streaming = false;
        if (monitor != null) {
            monitor.close();
        }
        super.doStop();
    }

    @ManagedAttribute(description = "The replication slot")
    public String getSlotName() {
        return options.slot();
    }

    @ManagedAttribute(description = "The publication streamed")
    public String getPublication() {
        return options.publication();
    }

    /** True while the replication stream is running. */
    @ManagedAttribute(description = "True while the replication stream is running")
    public boolean isStreaming() {
        return streaming;
    }

    /** The pgoutput protocol version of the current (or last) stream; 0 before the first. */
    @ManagedAttribute(description = "pgoutput protocol version of the current stream")
    public int getProtocolVersion() {
        return protocolVersion;
    }

    /** The position the slot was last confirmed to, X/XXXXXXXX. */
    @ManagedAttribute(description = "The LSN the slot was last confirmed to")
    public String getConfirmedLsn() {
        return Lsn.format(confirmedLsn);
    }

    /** The WAL position of the newest message read from the server, X/XXXXXXXX. */
    @ManagedAttribute(description = "The LSN of the newest message received")
    public String getLastReceivedLsn() {
        return Lsn.format(lastReceivedLsn);
    }

    /** Bytes of WAL the server keeps for this slot, -1 when unknown (not connected, standby). */
    @ManagedAttribute(description = "WAL bytes the server retains for the slot (-1 when unknown)")
    public long getRetainedWalBytes() {
        SlotMonitor.Reading reading = readSlot();
        return reading.slot() == null || reading.slot().retainedWalBytes() == null ? -1
                : reading.slot().retainedWalBytes();
    }

    @ManagedAttribute(description = "Changes in exchanges the routes completed since start")
    public long getChangesDelivered() {
        return changesDelivered.sum();
    }

    @ManagedAttribute(description = "Changes per second completed by the routes, over the last seconds")
    public double getChangesPerSecond() {
        return throughput.perSecond(changesDelivered.sum());
    }

    @ManagedAttribute(description = "Batches queued for or inside routes")
    public int getBatchesInFlight() {
        PgReplicationDispatcher d = dispatcher;
        return d == null ? 0 : d.inFlight();
    }

    @ManagedAttribute(description = "Failed attempts to connect or stream since the last successful one")
    public int getReconnectAttempts() {
        return reconnectAttempts;
    }

    @ManagedAttribute(description = "Retained WAL bytes above which the health check reports DOWN (0: no limit)")
    public long getRetainedWalThreshold() {
        return options.retainedWalThreshold();
    }

    Throwable lastError() {
        return lastError;
    }

    SlotMonitor.Reading readSlot() {
        SlotMonitor m = monitor;
        return m == null ? new SlotMonitor.Reading(null, true, null) : m.read();
    }

    void onDelivered(int changes) {
        changesDelivered.add(changes);
    }

    @Override
    public boolean isSetUp() {
        return setUp;
    }

    @Override
    public void onSetup(ReplicationSetup.Result result) {
        setUp = true;
        if (result.slot() == null) {
            LOG.info("slot={} the slot does not exist yet: snapshotMode={} takes the initial snapshot, which creates"
                     + " it", options.slot(), getEndpoint().getConfiguration().getSnapshotMode());
        } else {
            LOG.debug("slot={} set up on PostgreSQL {} (slot confirmed at {})", options.slot(), result.server().versionNum(),
                    result.slot().confirmedFlushLsn());
        }
    }

    @Override
    public void onSnapshot(boolean running) {
        snapshotting = running;
    }

    /** True while the initial snapshot runs (the slot does not exist until it completes). */
    public boolean isSnapshotting() {
        return snapshotting;
    }

    @Override
    public void onFinished(String reason) {
        streaming = false;
        LOG.info("slot={} {}", options.slot(), reason);
        String routeId = getRouteId();
        if (routeId == null) {
            return;
        }
        // Stopping the route waits for this consumer's session thread, which is the caller: stop from another one.
        CamelContext context = getEndpoint().getCamelContext();
        ExecutorService stopper = context.getExecutorServiceManager().newSingleThreadExecutor(this,
                "pgreplication-stop-" + options.slot());
        stopper.execute(() -> {
            try {
                context.getRouteController().stopRoute(routeId);
            } catch (Exception e) {
                LOG.warn("slot={} could not stop route {} after the snapshot: {}", options.slot(), routeId,
                        e.getMessage());
            } finally {
                stopper.shutdown();
            }
        });
    }

    @Override
    public void onStreaming(int serverVersion, int protocolVersion) {
        this.protocolVersion = protocolVersion;
        lastError = null;
        reconnectAttempts = 0;
        streaming = true;
    }

    @Override
    public void onConfirmed(long lsn) {
        confirmedLsn = lsn;
    }

    @Override
    public void onReceived(long lsn) {
        lastReceivedLsn = lsn;
    }

    @Override
    public void onError(Throwable error, int attempt, long delayMillis, boolean transientError) {
        streaming = false;
        lastError = error;
        reconnectAttempts = attempt;
        String what = transientError ? "cannot stream" : "cannot stream until an operator fixes this";
        getExceptionHandler().handleException("slot=" + options.slot() + ": " + what + " (attempt " + attempt
                                              + ", next in " + delayMillis + " ms): " + error.getMessage(), error);
    }
}
