package io.pgreplication.camel.benchmarks.e2e;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.benchmarks.support.JvmCpu;
import io.pgreplication.camel.examples.DuckDbSink;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * One timed run of the demo's pipeline: a fresh CamelContext with {@code from(uri).process(duckDbSink)}, timed from
 * context start until the sink has committed {@code target} changes, then stopped (which confirms the slot) with the
 * sink closed.
 *
 * @param applied    changes the sink had committed when the target was reached
 * @param seconds    context start until then
 * @param cpuSeconds this JVM's CPU over the same time (all threads, DuckDB's included)
 * @param exchanges  batches applied until then
 * @param jitSeconds time the JIT compilers spent over the same time, part of the CPU
 */
record SinkRun(long applied, double seconds, double cpuSeconds, long exchanges, double jitSeconds) {

    static SinkRun until(String uri, Path duckdb, long target) throws Exception {
        DuckDbSink sink = new DuckDbSink(duckdb.toString());
        CountDownLatch reached = new CountDownLatch(1);
        long[] exchanges = new long[1];
        long[] appliedAt = new long[1];
        long[] reachedAt = new long[1];
        double[] cpuAt = new double[2];
        CamelContext camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId("e2e").process(exchange -> {
                    sink.process(exchange);
                    exchanges[0]++;
                    if (sink.applied() >= target && reached.getCount() > 0) {
                        reachedAt[0] = System.nanoTime();
                        appliedAt[0] = sink.applied();
                        cpuAt[0] = JvmCpu.seconds();
                        cpuAt[1] = JvmCpu.jitSeconds();
                        reached.countDown();
                    }
                });
            }
        });
        double cpu = JvmCpu.seconds();
        double jit = JvmCpu.jitSeconds();
        long start = System.nanoTime();
        try {
            camel.start();
            EndToEndBenchmark.check(reached.await(30, TimeUnit.MINUTES),
                    "the sink applied " + sink.applied() + " of " + target + " changes within 30 minutes");
        } finally {
            camel.close();
            sink.close();
        }
        // The latch orders the dispatch thread's writes before these reads.
        return new SinkRun(appliedAt[0], (reachedAt[0] - start) / 1e9, cpuAt[0] - cpu, exchanges[0],
                cpuAt[1] - jit);
    }
}
