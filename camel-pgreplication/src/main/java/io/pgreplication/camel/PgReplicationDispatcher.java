package io.pgreplication.camel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.event.Operation;
import io.pgreplication.camel.session.BatchDispatcher;
import io.pgreplication.camel.session.SessionOptions;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns batches into exchanges and hands them to the route on a thread of its own, so the session keeps reading and
 * keeps the connection alive while a route works. At most {@link #MAX_IN_FLIGHT} batches are queued or in a route at
 * once: with a synchronous route they run one after another in order; with {@code threads()} or other async routes
 * several may run and complete out of order, which the flush tracker allows for.
 */
final class PgReplicationDispatcher implements BatchDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(PgReplicationDispatcher.class);

    /** Batches queued or inside routes at once; bounds memory to this many times batchSize changes. */
    static final int MAX_IN_FLIGHT = 4;

    private final PgReplicationConsumer consumer;
    private final SessionOptions options;
    private final Semaphore permits = new Semaphore(MAX_IN_FLIGHT);
    private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private ExecutorService executor;

    PgReplicationDispatcher(PgReplicationConsumer consumer, SessionOptions options) {
        this.consumer = consumer;
        this.options = options;
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
    public boolean offer(Batch batch, long timeoutNanos) throws InterruptedException {
        if (!permits.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
            return false;
        }
        queue.add(batch);
        return true;
    }

    /** Batches queued or inside routes now. */
    int inFlight() {
        return MAX_IN_FLIGHT - permits.availablePermits();
    }

    @Override
    public boolean isIdle() {
        return permits.availablePermits() == MAX_IN_FLIGHT;
    }

    @Override
    public boolean awaitIdle(long timeoutNanos) throws InterruptedException {
        if (permits.tryAcquire(MAX_IN_FLIGHT, timeoutNanos, TimeUnit.NANOSECONDS)) {
            permits.release(MAX_IN_FLIGHT);
            return true;
        }
        return false;
    }

    @Override
    public void discardQueued() {
        List<Batch> dropped = new ArrayList<>();
        queue.drainTo(dropped);
        permits.release(dropped.size());
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
                permits.release();
                continue;
            }
            process(batch);
        }
    }

    private void process(Batch batch) {
        Object body = body(batch);
        if (body == null) {
            batch.ticket().complete();
            consumer.onDelivered(batch.events().size());
            permits.release();
            return;
        }
        Exchange exchange = consumer.createExchange(false);
        Message message = exchange.getIn();
        message.setBody(body);
        message.setHeader(PgReplicationConstants.TABLE, batch.relation().qualifiedName());
        message.setHeader(PgReplicationConstants.LSN, batch.last().getLsn());
        message.setHeader(PgReplicationConstants.COMMIT_LSN, batch.last().getCommitLsn());
        message.setHeader(PgReplicationConstants.SLOT, options.slot());
        message.setHeader(PgReplicationConstants.PUBLICATION, options.publication());
        message.setHeader(PgReplicationConstants.KEY_COLUMNS, batch.relation().keyColumns());
        message.setHeader(PgReplicationConstants.RELATION, batch.relation());
        message.setHeader(PgReplicationConstants.SNAPSHOT, batch.last().getOperation() == Operation.SNAPSHOT);
        exchange.getExchangeExtension().addOnCompletion(new Completion(batch, consumer));
        try {
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
                permits.release();
            });
        } catch (Throwable e) {
            // process() reports failures through the exchange; this is a bug guard so the permit is never lost.
            batch.ticket().fail();
            permits.release();
            consumer.getExceptionHandler().handleException("slot=" + options.slot() + ": dispatch failed", e);
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

    /** Confirms the batch when the route completed it, or handled its failure; holds the slot back otherwise. */
    private static final class Completion extends SynchronizationAdapter {
        private final Batch batch;
        private final PgReplicationConsumer consumer;

        Completion(Batch batch, PgReplicationConsumer consumer) {
            this.batch = batch;
            this.consumer = consumer;
        }

        @Override
        public void onComplete(Exchange exchange) {
            batch.ticket().complete();
            consumer.onDelivered(batch.events().size());
        }

        @Override
        public void onFailure(Exchange exchange) {
            batch.ticket().fail();
        }
    }
}
