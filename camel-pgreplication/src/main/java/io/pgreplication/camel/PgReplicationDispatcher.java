package io.pgreplication.camel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;

import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.batch.InFlightLimit;
import io.pgreplication.camel.event.Operation;
import io.pgreplication.camel.session.BatchDispatcher;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns batches into exchanges and hands them to the route on a thread of its own, so the session keeps reading and
 * keeps the connection alive while a route works. At most {@link #MAX_IN_FLIGHT} batches, holding at most
 * {@code maxBatchBytes} together, are queued or in a route at once; a batch that does not fit waits until the others
 * are done, so one larger than {@code maxBatchBytes} (a single oversized change) goes alone. With a synchronous route
 * batches run one after another in order; with {@code threads()} or other async routes several may run and complete
 * out of order, which the flush tracker allows for. A batch's ticket completes when its exchange completes (or its
 * failure was handled), and fails otherwise, whatever the route threw, an {@link Error} included.
 */
final class PgReplicationDispatcher implements BatchDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(PgReplicationDispatcher.class);

    /** Batches queued or inside routes at once; bounds memory to this many times batchSize changes. */
    static final int MAX_IN_FLIGHT = 4;

    private final PgReplicationConsumer consumer;
    private final EndpointOptions options;
    private final InFlightLimit inFlight;
    private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final DeliveryStats stats;
    private ExecutorService executor;

    /** @param stats counts every batch a route completed, or whose failure it handled, with its changes */
    PgReplicationDispatcher(PgReplicationConsumer consumer, EndpointOptions options, DeliveryStats stats) {
        this.consumer = consumer;
        this.options = options;
        this.stats = stats;
        this.inFlight = new InFlightLimit(MAX_IN_FLIGHT, options.session().batching().maxBytes());
    }

    void start() {
        executor = consumer.getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "pgreplication-dispatch-" + options.slot());
        executor.execute(this::run);
    }

    void stop() {
        if (executor != null) {
            consumer.getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(executor);
            executor = null;
        }
    }

    @Override
    public boolean offer(Batch batch, Duration timeout) throws InterruptedException {
        if (!inFlight.tryAcquire(batch, timeout)) {
            return false;
        }
        queue.add(batch);
        return true;
    }

    /** Batches queued or inside routes now. */
    int inFlight() {
        return inFlight.inFlight();
    }

    /** Bytes of values (as the server sent them) of the batches queued or inside routes now. */
    long inFlightBytes() {
        return inFlight.inFlightBytes();
    }

    @Override
    public boolean isIdle() {
        return inFlight.isIdle();
    }

    @Override
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return inFlight.awaitIdle(timeout);
    }

    @Override
    public void discardQueued() {
        List<Batch> dropped = new ArrayList<>();
        queue.drainTo(dropped);
        dropped.forEach(inFlight::release);
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            Batch batch;
            try {
                batch = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (batch.ticket().streamFailed()) {
                // An earlier batch failed: the session reconnects and streams this one again, in order.
                inFlight.release(batch);
                continue;
            }
            process(batch);
        }
    }

    private void process(Batch batch) {
        try {
            Object body = body(batch);
            if (body == null) {
                delivered(batch);
                inFlight.release(batch);
                return;
            }
            Exchange exchange = consumer.createExchange(false);
            exchange.getIn().setBody(body);
            BatchHeaders.set(exchange.getIn(), batch.relation(), batch.last().getLsn(), batch.last().getCommitLsn(),
                    options.slot(), options.publication(), batch.last().getOperation() == Operation.SNAPSHOT,
                    batch.backfill());
            exchange.getExchangeExtension().addOnCompletion(new Completion(batch));
            consumer.getAsyncProcessor().process(exchange, doneSync -> {
                if (exchange.getException() != null) {
                    consumer.getExceptionHandler().handleException("slot=" + options.slot() + ": batch of "
                                                                   + batch.events().size() + " changes of "
                                                                   + batch.relation().qualifiedName()
                                                                   + " up to LSN " + batch.last().getLsn()
                                                                   + " failed; it will be streamed again",
                            exchange, exchange.getException());
                }
                consumer.releaseExchange(exchange, false);
                inFlight.release(batch);
            });
        } catch (Throwable e) {
            // process() reports failures through the exchange. Making the body or the exchange can still throw (an
            // OutOfMemoryError above all): the batch then fails like a failed exchange, and its room is never lost.
            batch.ticket().fail();
            inFlight.release(batch);
            consumer.getExceptionHandler().handleException("slot=" + options.slot() + ": batch of "
                                                           + batch.events().size() + " changes of "
                                                           + batch.relation().qualifiedName()
                                                           + " could not be handed to the route; it will be"
                                                           + " streamed again", e);
        }
    }

    /**
     * The exchange body in the configured outputFormat, made here so that streamed and snapshot batches alike get it;
     * null when a rows batch has no rows (it held only truncates, which rows leave out as dlt does).
     */
    private Object body(Batch batch) {
        List<?> body = options.outputFormat().body(batch.events());
        if (body.isEmpty()) {
            LOG.info("slot={} outputFormat=rows: {} truncate(s) of {} up to LSN {} not delivered (rows have no"
                     + " truncate; use outputFormat=events to receive them)", options.slot(), batch.events().size(),
                    batch.relation().qualifiedName(), batch.last().getLsn());
            return null;
        }
        return body;
    }

    private void delivered(Batch batch) {
        batch.ticket().complete();
        stats.delivered(batch, consumer.status().confirmed());
    }

    /** Confirms the batch when the route completed it, or handled its failure; holds the slot back otherwise. */
    private final class Completion extends SynchronizationAdapter {
        private final Batch batch;

        Completion(Batch batch) {
            this.batch = batch;
        }

        @Override
        public void onComplete(Exchange exchange) {
            delivered(batch);
        }

        @Override
        public void onFailure(Exchange exchange) {
            stats.failed();
            batch.ticket().fail();
        }
    }
}
