package io.pgreplication.camel.session;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the backfills of one stream on worker threads ({@link BackfillSnapshot}) and ends them with the stream: when the
 * stream ends, for whatever reason, its backfills stop too (their requests are read again by the next stream).
 */
final class BackfillWorkers implements Backfills.Launcher {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillWorkers.class);

    private final String slot;
    private final Executor executor;
    private final Function<Backfill, SnapshotSource> sources;
    private final BatchDispatcher dispatcher;
    private final BooleanSupplier streamEnding;
    private final Phaser active = new Phaser(1);
    private volatile boolean stopped;

    /**
     * @param sources      the server side of a backfill's snapshot, scoped to its tables
     * @param streamEnding true once the stream must end anyway (the session stops, a batch failed)
     */
    BackfillWorkers(String slot, Executor executor, Function<Backfill, SnapshotSource> sources,
                    BatchDispatcher dispatcher, BooleanSupplier streamEnding) {
        this.slot = slot;
        this.executor = executor;
        this.sources = sources;
        this.dispatcher = dispatcher;
        this.streamEnding = streamEnding;
    }

    @Override
    public void launch(Backfill backfill) {
        BackfillSnapshot snapshot = new BackfillSnapshot(slot, backfill, sources.apply(backfill), dispatcher,
                () -> stopped || streamEnding.getAsBoolean());
        active.register();
        try {
            executor.execute(() -> {
                try {
                    snapshot.run();
                } finally {
                    active.arriveAndDeregister();
                }
            });
        } catch (RuntimeException e) {
            active.arriveAndDeregister();
            backfill.failed(e);
            backfill.end();
        }
    }

    /**
     * Stops the backfills and waits up to {@code timeout} for their workers to end. A worker still creating its
     * temporary slot (which waits for running transactions) ends by itself once that returns.
     */
    void stop(Duration timeout) {
        stopped = true;
        int phase = active.arrive();
        try {
            active.awaitAdvanceInterruptibly(phase, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("slot={} a backfill worker did not stop within {} ms; it ends by itself", slot,
                    timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
