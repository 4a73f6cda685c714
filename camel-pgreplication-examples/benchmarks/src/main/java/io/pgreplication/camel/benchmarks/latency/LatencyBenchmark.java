package io.pgreplication.camel.benchmarks.latency;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.pgreplication.camel.benchmarks.support.BenchmarkBacklog;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.examples.EmbeddedServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

/**
 * Commit-to-exchange latency: a writer commits single-row transactions at a steady rate (default 1,000/s)
 * while a route with default options receives them; for every change, the time from its commit timestamp (set by the
 * server) to the moment the route's processor sees it. Same machine, same clock. Prints p50, p99, p99.9 and max,
 * beside the same figures for a bare pgjdbc reader of a second slot (commit to its Begin message): the part of the
 * latency that the server and the machine add before any client code runs.
 *
 * <p>Run: {@code mvn -B -q -Platency-benchmark package -DskipTests} (knobs: -Dbench.rate, -Dbench.seconds,
 * -Dbench.options for extra endpoint options).
 */
public final class LatencyBenchmark {

    private static final Instant PG_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    private LatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rate = Integer.getInteger("bench.rate", 1000);
        int seconds = Integer.getInteger("bench.seconds", 20);
        int warmupSeconds = Integer.getInteger("bench.warmupSeconds", 5);
        String extra = System.getProperty("bench.options", "");
        // synchronous_commit stays on: with it off, the server holds commits back from walsenders for up to
        // wal_writer_delay (200 ms), which would measure the server's setting, not the consumer.
        Map<String, String> settings = new HashMap<>(EmbeddedServer.BENCHMARK_SETTINGS);
        settings.remove("synchronous_commit");
        // Measured here (docs/benchmarks.md): the server hands a commit to a logical walsender when its WAL writer
        // next runs, so wal_writer_delay (default 200 ms) sets the floor of every logical reader's latency.
        String walWriterDelay = System.getProperty("bench.walWriterDelay", "10ms");
        settings.put("wal_writer_delay", walWriterDelay);
        try (EmbeddedServer server = EmbeddedServer.start(settings)) {
            int version;
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                version = BenchmarkBacklog.serverVersion(c);
                st.execute("DROP TABLE IF EXISTS latency_bench");
                st.execute("CREATE TABLE latency_bench (id bigserial PRIMARY KEY, v int)");
                st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                           + " WHERE slot_name = 'latency_slot'");
                st.execute("DROP PUBLICATION IF EXISTS latency_slot");
            }
            int total = (warmupSeconds + seconds) * rate;
            long[] micros = new long[total];
            AtomicInteger received = new AtomicInteger();
            CamelContext camel = new DefaultCamelContext();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("pgreplication:latency_slot?tables=latency_bench&" + server.endpointOptions()
                         + (extra.isBlank() ? "" : "&" + extra))
                            .process(e -> {
                                Instant now = Instant.now();
                                for (Object o : e.getIn().getBody(List.class)) {
                                    int i = received.getAndIncrement();
                                    if (i < micros.length) {
                                        micros[i] = Duration.between(((ChangeEvent) o).commitInstant(), now)
                                                .toNanos() / 1000;
                                    }
                                }
                            });
                }
            });
            camel.start();
            // The floor: a bare pgjdbc reader of a second slot on the same publication, timing each Begin.
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("SELECT pg_create_logical_replication_slot('latency_floor', 'pgoutput')");
            }
            long[] floorMicros = new long[total];
            Thread floor = new Thread(() -> readFloor(server, version, floorMicros), "latency-floor");
            floor.start();
            long writeNanos;
            try (Connection c = server.connect();
                 PreparedStatement insert = c.prepareStatement("INSERT INTO latency_bench (v) VALUES (?)")) {
                long interval = TimeUnit.SECONDS.toNanos(1) / rate;
                long start = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    long due = start + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    insert.setInt(1, i);
                    insert.executeUpdate();
                }
                writeNanos = System.nanoTime() - start;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            camel.close();
            floor.join(TimeUnit.SECONDS.toMillis(60));
            if (received.get() < total) {
                throw new IllegalStateException("received " + received.get() + " of " + total + " changes");
            }
            long[] measured = Arrays.copyOfRange(micros, warmupSeconds * rate, total);
            Arrays.sort(measured);
            System.out.printf("latency: server_version_num %d, %d single-row commits at %.0f tx/s achieved (target %d/s),"
                              + " %d measured after %d s warm-up, wal_writer_delay %s, options: %s%n", version, total,
                    total / (writeNanos / 1e9), rate, measured.length, warmupSeconds, walWriterDelay,
                    extra.isBlank() ? "defaults" : extra);
            print("component: commit-to-exchange", measured);
            long[] floorMeasured = Arrays.copyOfRange(floorMicros, warmupSeconds * rate, total);
            Arrays.sort(floorMeasured);
            print("floor (bare pgjdbc reader): commit-to-Begin", floorMeasured);
        }
    }

    private static void print(String what, long[] sorted) {
        System.out.printf("latency: %s p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms%n", what,
                percentile(sorted, 50) / 1000.0, percentile(sorted, 99) / 1000.0, percentile(sorted, 99.9) / 1000.0,
                sorted[sorted.length - 1] / 1000.0);
    }

    /** Reads the floor slot with pgjdbc alone, recording commit-to-Begin latency of each transaction. */
    private static void readFloor(EmbeddedServer server, int version, long[] micros) {
        try (Connection c = server.connectReplication(null)) {
            PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                    .logical().withSlotName("latency_floor")
                    .withSlotOption("proto_version", BenchmarkBacklog.protocolVersion(version))
                    .withSlotOption("publication_names", "latency_slot").withAutomaticFlush(false).start();
            int n = 0;
            long idleSince = System.nanoTime();
            while (n < micros.length && System.nanoTime() - idleSince < TimeUnit.SECONDS.toNanos(30)) {
                ByteBuffer b = stream.readPending();
                if (b == null) {
                    LockSupport.parkNanos(50_000);
                    continue;
                }
                idleSince = System.nanoTime();
                if (b.get(b.position()) == 'B') {
                    // Begin: final LSN (8 bytes), then the commit time in microseconds since 2000-01-01.
                    Instant commit = PG_EPOCH.plusNanos(b.getLong(b.position() + 9) * 1000);
                    micros[n++] = Duration.between(commit, Instant.now()).toNanos() / 1000;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("floor reader failed", e);
        }
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
