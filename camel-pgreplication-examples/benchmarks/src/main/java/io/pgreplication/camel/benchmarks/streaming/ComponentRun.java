package io.pgreplication.camel.benchmarks.streaming;

import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.PgReplicationConsumer;
import io.pgreplication.camel.benchmarks.support.BenchmarkBacklog;
import io.pgreplication.camel.benchmarks.support.JvmCpu;
import io.pgreplication.camel.examples.EmbeddedServer;
import io.pgreplication.camel.examples.SlotPosition;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.postgresql.replication.LogSequenceNumber;

/**
 * One timed read of a slot by the component: a fresh CamelContext with {@code from("pgreplication:...")} and a
 * processor that only counts events, timed from context start until the expected number of events completed their
 * exchanges. The context is then stopped, which confirms the slot, and the server is asked whether it did.
 */
final class ComponentRun {

    /**
     * @param rows             events counted when {@code target} were received (exchanges completed)
     * @param receivedSeconds  context start until the target-th event was processed: the throughput figure
     * @param confirmedSeconds context start until the component considered the last transaction confirmable
     * @param clientCpuSeconds JVM CPU seconds spent over {@code receivedSeconds}
     * @param confirmed        after stopping, the server shows the slot past the last commit received
     * @param exchanges        batch exchanges that carried those events (rows / exchanges = the mean batch size)
     * @param jitSeconds       time the JIT compilers spent compiling over {@code receivedSeconds}, part of the CPU
     */
    record Timing(long rows, double receivedSeconds, double confirmedSeconds, double clientCpuSeconds,
                  boolean confirmed, long exchanges, double jitSeconds) {
    }

    private ComponentRun() {
    }

    static Timing read(EmbeddedServer server, String slot, long target, int batchSize, boolean binaryValues)
            throws Exception {
        Counter counter = new Counter(target);
        String uri = "pgreplication:" + slot + "?" + server.endpointOptions()
                     + "&publication=" + BenchmarkBacklog.PUBLICATION + "&tables=" + BenchmarkBacklog.TABLE
                     + "&batchSize=" + batchSize + "&binaryValues=" + binaryValues
                     + "&createSlot=false&createPublication=false";
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId("bench-" + slot).process(counter);
            }
        });
        double cpuBefore = JvmCpu.seconds();
        double jitBefore = JvmCpu.jitSeconds();
        long began = System.nanoTime();
        context.start();
        long confirmedAt;
        boolean confirmed = false;
        try {
            if (!counter.done.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("slot=" + slot + " received only " + counter.events + " of " + target
                                                + " events within 30 minutes");
            }
            // The last batch can complete before its Commit is read; wait until the component itself may confirm it.
            PgReplicationConsumer consumer = (PgReplicationConsumer) context.getRoute("bench-" + slot).getConsumer();
            long lastCommit = LogSequenceNumber.valueOf(counter.lastCommitLsn).asLong();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Long.compareUnsigned(LogSequenceNumber.valueOf(consumer.getConfirmedLsn()).asLong(), lastCommit) <= 0
                   && System.nanoTime() < deadline) {
                TimeUnit.MICROSECONDS.sleep(200);
            }
            confirmedAt = System.nanoTime();
        } finally {
            // Stopping sends the final status update with the confirmed LSN.
            context.stop();
        }
        try (Connection c = server.connect()) {
            long lastCommit = LogSequenceNumber.valueOf(counter.lastCommitLsn).asLong();
            // The walsender applies the final status update after the connection is gone: allow it a moment.
            for (int i = 0; i < 100 && !confirmed; i++) {
                confirmed = Long.compareUnsigned(SlotPosition.confirmedFlush(c, slot), lastCommit) > 0;
                if (!confirmed) {
                    Thread.sleep(20);
                }
            }
        }
        return new Timing(counter.eventsAtTarget, (counter.reachedAt - began) / 1e9, (confirmedAt - began) / 1e9,
                counter.cpuAtTarget - cpuBefore, confirmed, counter.exchangesAtTarget,
                counter.jitAtTarget - jitBefore);
    }

    /** Counts events; runs on the component's single dispatch thread, so plain fields written before the latch do. */
    private static final class Counter implements Processor {
        private final long target;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile long events;
        private long exchanges;
        private long eventsAtTarget;
        private long exchangesAtTarget;
        private long reachedAt;
        private double cpuAtTarget;
        private double jitAtTarget;
        private String lastCommitLsn;

        Counter(long target) {
            this.target = target;
        }

        @Override
        public void process(Exchange exchange) {
            long n = events + ((List<?>) exchange.getIn().getBody()).size();
            events = n;
            exchanges++;
            lastCommitLsn = exchange.getIn().getHeader(PgReplicationConstants.COMMIT_LSN, String.class);
            if (n >= target && done.getCount() > 0) {
                reachedAt = System.nanoTime();
                cpuAtTarget = JvmCpu.seconds();
                jitAtTarget = JvmCpu.jitSeconds();
                eventsAtTarget = n;
                exchangesAtTarget = exchanges;
                done.countDown();
            }
        }
    }
}
