package io.pgreplication.camel;

import java.util.concurrent.TimeUnit;

/**
 * A rate from a growing counter: the change between two samples at least a second apart, the older of which is
 * renewed every few seconds, so the figure covers roughly the last 1-5 seconds. Read-side only; the counter itself is
 * a LongAdder on the delivery path.
 */
final class Throughput {

    private static final long MIN_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);

    private long baseCount;
    private long baseNanos = System.nanoTime();
    private long recentCount;
    private long recentNanos = baseNanos;
    private double rate;

    synchronized double perSecond(long count) {
        long now = System.nanoTime();
        if (now - baseNanos >= MIN_WINDOW_NANOS) {
            rate = (count - baseCount) * 1e9 / (now - baseNanos);
        }
        if (now - recentNanos >= MIN_WINDOW_NANOS) {
            // Slide the window: the newer sample becomes the base once the base is too old.
            if (now - baseNanos >= MAX_WINDOW_NANOS) {
                baseCount = recentCount;
                baseNanos = recentNanos;
            }
            recentCount = count;
            recentNanos = now;
        }
        return rate;
    }
}
