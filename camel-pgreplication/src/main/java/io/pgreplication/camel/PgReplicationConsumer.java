package io.pgreplication.camel;

import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.admin.Errors;
import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.session.ReplicationSession;
import io.pgreplication.camel.session.SessionOptions;
import io.pgreplication.camel.session.SessionState;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the replication session of a {@code pgreplication:} endpoint. Configuration errors fail the start;
 * transient ones (server down, slot still held) do not: the session retries with backoff (SPEC §8).
 */
public class PgReplicationConsumer extends DefaultConsumer implements SessionState {

    private static final Logger LOG = LoggerFactory.getLogger(PgReplicationConsumer.class);

    private final SessionOptions options;
    private PgReplicationDispatcher dispatcher;
    private ReplicationSession session;
    private ExecutorService executor;
    private volatile boolean setUp;
    private volatile long confirmedLsn;
    private volatile boolean streaming;

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
        super.doStop();
    }

    /** True while the replication stream is running. */
    public boolean isStreaming() {
        return streaming;
    }

    /** The position the slot was last confirmed to, X/XXXXXXXX. */
    public String getConfirmedLsn() {
        return Lsn.format(confirmedLsn);
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
            LOG.debug("slot={} set up on PostgreSQL {} (slot confirmed at {})", options.slot(), result.serverVersion(),
                    result.slot().confirmedFlushLsn());
        }
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
        streaming = true;
    }

    @Override
    public void onConfirmed(long lsn) {
        confirmedLsn = lsn;
    }

    @Override
    public void onError(Throwable error, int attempt, long delayMillis, boolean transientError) {
        streaming = false;
        String what = transientError ? "cannot stream" : "cannot stream until an operator fixes this";
        getExceptionHandler().handleException("slot=" + options.slot() + ": " + what + " (attempt " + attempt
                                              + ", next in " + delayMillis + " ms): " + error.getMessage(), error);
    }
}
