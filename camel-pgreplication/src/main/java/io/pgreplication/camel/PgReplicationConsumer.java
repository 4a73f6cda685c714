package io.pgreplication.camel;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.pgreplication.camel.server.Errors;
import io.pgreplication.camel.server.Failure;
import io.pgreplication.camel.session.ReplicationSession;
import io.pgreplication.camel.session.SessionListener;
import io.pgreplication.camel.session.SessionStatus;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the replication session of a {@code pgreplication:} endpoint, on threads from Camel's
 * {@link ExecutorServiceManager}. Configuration errors fail the start; transient ones (server down, slot still held)
 * do not: the session retries with backoff (docs/user-guide.md, "Errors"). What the session does is read from its one
 * {@link SessionStatus}.
 */
@ManagedResource(description = "PostgreSQL logical replication consumer")
public class PgReplicationConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(PgReplicationConsumer.class);
    private static final String MICROMETER = "io.micrometer.core.instrument.MeterRegistry";

    private final EndpointOptions options;
    private final DeliveryStats deliveryStats = new DeliveryStats();
    private final LongAdder reconnects = new LongAdder();
    /** The consumer's Micrometer meters while it runs, when Micrometer and a MeterRegistry are there. */
    private AutoCloseable metrics;
    private final Throughput throughput = new Throughput();
    private PgReplicationDispatcher dispatcher;
    private ReplicationSession session;
    private ExecutorService sessionThread;
    private ExecutorService snapshotWorkers;
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
        if (options.session().offsets() instanceof RepositoryOffsetStore repository) {
            repository.start();
        }
        monitor = new SlotMonitor(options.connection(), options.slot(), options.publication());
        if (getEndpoint().getComponent().isHealthCheckConsumerEnabled() && getRouteId() != null) {
            setHealthCheck(new PgReplicationConsumerHealthCheck(this, getRouteId()));
        }
        ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
        dispatcher = new PgReplicationDispatcher(this, options, deliveryStats);
        snapshotWorkers = threads.newCachedThreadPool(this, "pgreplication-snapshot-" + options.slot());
        session = new ReplicationSession(options.session(), dispatcher, new Listener(), snapshotWorkers);
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
        sessionThread = threads.newSingleThreadExecutor(this, "pgreplication-" + options.slot());
        sessionThread.execute(session);
        if (getEndpoint().getCamelContext().getClassResolver().resolveClass(MICROMETER) != null) {
            // Only now is PgReplicationMetrics loaded, and with it Micrometer: an optional dependency.
            metrics = PgReplicationMetrics.bind(this);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        if (session != null) {
            // The session lets in-flight batches finish and confirms them before it closes the connection.
            session.stop();
        }
        ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
        if (sessionThread != null) {
            sessionThread.shutdown();
            if (!sessionThread.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("slot={} the replication session did not stop within 60 s", options.slot());
                threads.shutdownNow(sessionThread);
            }
            sessionThread = null;
        }
        if (dispatcher != null) {
            dispatcher.stop();
        }
        if (snapshotWorkers != null) {
            threads.shutdownNow(snapshotWorkers);
            snapshotWorkers = null;
        }
        if (monitor != null) {
            monitor.close();
        }
        super.doStop();
    }

    /** What the session does now, as one consistent value. */
    SessionStatus status() {
        ReplicationSession s = session;
        return s == null ? SessionStatus.STARTING : s.status();
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
        return status().isStreaming();
    }

    /**
     * What the session does: STARTING, SNAPSHOT, STREAMING, RETRYING (after a failure), FINISHED (initialOnly after its
     * snapshot), FAILED (stopped by an Error such as an OutOfMemoryError, never retried) or STOPPED.
     */
    @ManagedAttribute(description = "STARTING, SNAPSHOT, STREAMING, RETRYING, FINISHED, FAILED (stopped by an Error,"
                                    + " no retry) or STOPPED")
    public String getState() {
        return status().state().name();
    }

    /** The message of the last failure since the stream last started, or null. */
    @ManagedAttribute(description = "The last failure since the stream last started, or null")
    public String getLastError() {
        Throwable error = status().lastError();
        return error == null ? null : error.getMessage();
    }

    /** The pgoutput protocol version of the current (or last) stream; 0 before the first. */
    @ManagedAttribute(description = "pgoutput protocol version of the current stream")
    public int getProtocolVersion() {
        return status().protocolVersion();
    }

    /** The position the slot was last confirmed to, X/XXXXXXXX. */
    @ManagedAttribute(description = "The LSN the slot was last confirmed to")
    public String getConfirmedLsn() {
        return status().confirmed().toString();
    }

    /** The WAL position of the newest message read from the server, X/XXXXXXXX. */
    @ManagedAttribute(description = "The LSN of the newest message received")
    public String getLastReceivedLsn() {
        return status().received().toString();
    }

    /** Bytes of WAL the server keeps for this slot, -1 when unknown (not connected, standby). */
    @ManagedAttribute(description = "WAL bytes the server retains for the slot (-1 when unknown)")
    public long getRetainedWalBytes() {
        SlotMonitor.Reading reading = readSlot();
        return reading.slot() == null || reading.slot().retainedWalBytes() == null ? -1
                : reading.slot().retainedWalBytes();
    }

    /** The online backfill being read now ({@code id of [tables]}), or null. */
    @ManagedAttribute(description = "The online backfill being read now, or null")
    public String getBackfill() {
        return status().backfill();
    }

    @ManagedAttribute(description = "Changes in exchanges the routes completed since start")
    public long getChangesDelivered() {
        return deliveryStats.changes();
    }

    @ManagedAttribute(description = "Changes per second completed by the routes, over the last seconds")
    public double getChangesPerSecond() {
        return throughput.perSecond(deliveryStats.changes());
    }

    @ManagedAttribute(description = "Batches queued for or inside routes")
    public int getBatchesInFlight() {
        PgReplicationDispatcher d = dispatcher;
        return d == null ? 0 : d.inFlight();
    }

    @ManagedAttribute(description = "Bytes of values (as the server sent them) in batches queued for or inside routes")
    public long getBytesInFlight() {
        PgReplicationDispatcher d = dispatcher;
        return d == null ? 0 : d.inFlightBytes();
    }

    @ManagedAttribute(description = "Failed attempts to connect or stream since the last successful one")
    public int getReconnectAttempts() {
        return status().failedAttempts();
    }

    @ManagedAttribute(description = "Retained WAL bytes above which the health check reports DOWN (0: no limit)")
    public long getRetainedWalThreshold() {
        return options.retainedWalThreshold();
    }

    /** Batches and changes the routes completed, and their commit times. */
    DeliveryStats deliveryStats() {
        return deliveryStats;
    }

    /** Failed attempts to connect or stream since the consumer was created, each followed by a reconnect. */
    long reconnects() {
        return reconnects.sum();
    }

    SlotMonitor.Reading readSlot() {
        SlotMonitor m = monitor;
        return m == null ? new SlotMonitor.Reading(null, true, null) : m.read();
    }

    /** What the session tells the consumer: failures go to Camel's exception handler, its end stops the route. */
    private final class Listener implements SessionListener {

        @Override
        public void onFailure(Failure failure, int attempt, Duration delay) {
            reconnects.increment();
            String what = failure.isTransient() ? "cannot stream" : "cannot stream until an operator fixes this";
            getExceptionHandler().handleException("slot=" + options.slot() + ": " + what + " (attempt " + attempt
                                                  + ", next in " + delay.toMillis() + " ms): "
                                                  + failure.error().getMessage(), failure.error());
        }

        @Override
        public void onStopped(Failure failure) {
            getExceptionHandler().handleException("slot=" + options.slot() + ": stopped streaming, no retry"
                                                  + " (the health check reports DOWN until the route is restarted): "
                                                  + failure.error().getMessage(), failure.error());
        }

        @Override
        public void onFinished(String reason) {
            LOG.info("slot={} {}", options.slot(), reason);
            String routeId = getRouteId();
            if (routeId == null) {
                return;
            }
            // Stopping the route waits for this consumer's session thread, which is the caller: stop from another.
            CamelContext context = getEndpoint().getCamelContext();
            ExecutorService stopper = context.getExecutorServiceManager().newSingleThreadExecutor(
                    PgReplicationConsumer.this, "pgreplication-stop-" + options.slot());
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
    }
}
