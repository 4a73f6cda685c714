package io.pgreplication.camel.benchmarks.catalog;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.benchmarks.support.JvmCpu;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Counts the events one route delivers until a target: when the first exchange arrived, when the target was reached,
 * how many exchanges carried them. Runs on the route's own dispatch thread; the latch publishes its fields.
 */
final class CountedRun implements Processor {

    /**
     * @param events       events counted when the target was reached
     * @param exchanges    exchanges that carried them
     * @param startSeconds context start until the first exchange
     * @param seconds      first exchange until the target: the per-change throughput figure
     * @param cpuSeconds   this JVM's CPU (all threads) from context start until the target
     */
    record Timing(long events, long exchanges, double startSeconds, double seconds, double cpuSeconds) {
        double eventsPerSecond() {
            return events / seconds;
        }
    }

    private final long target;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long events;
    private long exchanges;
    private long firstAt;
    private long reachedAt;
    private double cpuAt;

    CountedRun(long target) {
        this.target = target;
    }

    @Override
    public void process(Exchange exchange) {
        if (firstAt == 0) {
            firstAt = System.nanoTime();
        }
        long n = events + ((List<?>) exchange.getIn().getBody()).size();
        events = n;
        exchanges++;
        if (n >= target && done.getCount() > 0) {
            reachedAt = System.nanoTime();
            cpuAt = JvmCpu.seconds();
            done.countDown();
        }
    }

    long events() {
        return events;
    }

    /** Waits for the target; the timing is measured from {@code startedAt} (nanoTime) and {@code cpuBefore}. */
    Timing await(long startedAt, double cpuBefore, long minutes) throws InterruptedException {
        if (!done.await(minutes, TimeUnit.MINUTES)) {
            throw new IllegalStateException("Benchmark result is not valid: only " + events + " of " + target
                                            + " events arrived within " + minutes + " minutes");
        }
        return timing(startedAt, cpuBefore);
    }

    /** The timing, once {@link #reached()}. */
    Timing timing(long startedAt, double cpuBefore) {
        return new Timing(events, exchanges, (firstAt - startedAt) / 1e9, (reachedAt - firstAt) / 1e9,
                cpuAt - cpuBefore);
    }

    boolean reached() {
        return done.getCount() == 0;
    }
}
