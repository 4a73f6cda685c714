package io.pgreplication.camel.session;

import java.time.Duration;

import io.pgreplication.camel.batch.Batch;

/**
 * Hands closed batches to the routes, asynchronously, with a bounded number in flight. The session never blocks on it
 * for long: it keeps the replication connection alive between attempts.
 */
public interface BatchDispatcher {

    /**
     * Queues a batch for delivery, waiting up to {@code timeout} for room. Returns false when there was no room in
     * time; the caller keeps the connection alive and tries again.
     */
    boolean offer(Batch batch, Duration timeout) throws InterruptedException;

    /** Waits up to {@code timeout} until every batch handed out so far has finished; true when none is left. */
    boolean awaitIdle(Duration timeout) throws InterruptedException;

    /** True when no batch is queued or inside a route. */
    boolean isIdle();

    /** Drops batches queued but not yet given to a route (they stay unconfirmed and are streamed again). */
    void discardQueued();
}
