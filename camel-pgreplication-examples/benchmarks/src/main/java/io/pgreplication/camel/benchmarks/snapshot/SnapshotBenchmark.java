package io.pgreplication.camel.benchmarks.snapshot;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.pgreplication.camel.benchmarks.support.BenchmarkBacklog;
import io.pgreplication.camel.benchmarks.support.JvmCpu;
import io.pgreplication.camel.examples.EmbeddedServer;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Snapshot throughput of the component against {@code COPY (SELECT ...) TO STDOUT} of the same table, in
 * one run: loads {@code bench.rows} rows, then {@code bench.repeat} times reads them with a bare pgjdbc COPY (one
 * connection, rows counted and dropped: the floor) and with a {@code snapshotMode=initialOnly} consumer
 * ({@code bench.parallelism} connections, rows decoded into events and delivered to a route that counts them).
 * Run with {@code mvn -B -q -Psnapshot-benchmark package -DskipTests -Dbench.rows=1000000} from the repository root.
 */
public final class SnapshotBenchmark {

    private static final String TABLE = "public.snapbench";
    private static final String PUBLICATION = "pgrsnap_pub";
    private static final String COLUMNS = "id, a, b, c";

    private SnapshotBenchmark() {
    }

    private record Line(String run, String reader, long rows, double seconds, double cpuSeconds) {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.getLong("bench.rows", 1_000_000);
        int repeat = Integer.getInteger("bench.repeat", 2);
        int parallelism = Integer.getInteger("bench.parallelism", 2);
        int batchSize = Integer.getInteger("bench.batchSize", 1000);
        try (EmbeddedServer server = EmbeddedServer.start(EmbeddedServer.BENCHMARK_SETTINGS);
             Connection c = server.connect()) {
            Runtime rt = Runtime.getRuntime();
            System.out.println("== camel-pgreplication snapshot benchmark ==");
            System.out.printf(Locale.ROOT, "CPUs %d, JVM max heap %d MB, %s %s%n", rt.availableProcessors(),
                    rt.maxMemory() / (1024 * 1024), System.getProperty("java.vm.name"),
                    System.getProperty("java.version"));
            System.out.printf(Locale.ROOT, "Server: %s (%s)%n", BenchmarkBacklog.serverVersionText(c),
                    server.isEmbedded() ? "embedded" : server.jdbcUrl());
            long loadStart = System.nanoTime();
            try (Statement s = c.createStatement()) {
                s.execute("DROP PUBLICATION IF EXISTS " + PUBLICATION);
                s.execute("DROP TABLE IF EXISTS " + TABLE);
                s.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, a int, b text, c timestamptz)");
                s.execute("INSERT INTO " + TABLE + " SELECT g, g % 1000, md5(g::text), now() - g * interval '1 s'"
                          + " FROM generate_series(1, " + rows + ") g");
                s.execute("VACUUM ANALYZE " + TABLE);
                s.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + TABLE);
            }
            System.out.printf(Locale.ROOT, "Table %s: %,d rows (%s), loaded in %.1f s%n", TABLE, rows,
                    size(c), (System.nanoTime() - loadStart) / 1e9);
            System.out.printf(Locale.ROOT, "Floor: COPY (SELECT %s FROM %s) TO STDOUT, text, one pgjdbc connection"
                                           + "%nComponent: snapshotMode=initialOnly, snapshotParallelism=%d,"
                                           + " batchSize=%d, a route counting events%n", COLUMNS, TABLE, parallelism,
                    batchSize);

            List<Line> lines = new ArrayList<>();
            // Warm-up: one component read, not compared (class loading, JIT).
            lines.add(component(server, "warm-up", "pgrsnap_warmup", rows, parallelism, batchSize));
            for (int i = 1; i <= repeat; i++) {
                lines.add(copy(server, String.valueOf(i), rows));
                lines.add(component(server, String.valueOf(i), "pgrsnap_" + i, rows, parallelism, batchSize));
            }
            print(lines);
        }
    }

    /** The floor: the same rows through COPY text on one connection, counted and dropped. */
    private static Line copy(EmbeddedServer server, String run, long expected) throws Exception {
        double cpu = JvmCpu.seconds();
        long start = System.nanoTime();
        long count = 0;
        try (Connection c = server.connect()) {
            CopyOut out = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY (SELECT " + COLUMNS + " FROM " + TABLE + ") TO STDOUT");
            while (out.readFromCopy() != null) {
                count++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        check(count == expected, "COPY read " + count + " rows, not " + expected);
        return new Line(run, "COPY", count, seconds, JvmCpu.seconds() - cpu);
    }

    /** The component: an initialOnly consumer, timed from context start until the route has every row. */
    private static Line component(EmbeddedServer server, String run, String slot, long expected, int parallelism,
                                  int batchSize) throws Exception {
        AtomicLong count = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            public void configure() {
                from("pgreplication:" + slot + "?" + server.endpointOptions() + "&publication=" + PUBLICATION
                     + "&tables=" + TABLE + "&createPublication=false&snapshotMode=initialOnly&snapshotParallelism="
                     + parallelism + "&batchSize=" + batchSize).routeId("snapshot")
                        .process(e -> {
                            if (count.addAndGet(e.getIn().getBody(List.class).size()) >= expected) {
                                all.countDown();
                            }
                        });
            }
        });
        double cpu = JvmCpu.seconds();
        long start = System.nanoTime();
        context.start();
        check(all.await(10, TimeUnit.MINUTES), "the component delivered " + count.get() + " of " + expected);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = JvmCpu.seconds() - cpu;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (context.getRouteController().getRouteStatus("snapshot") != ServiceStatus.Stopped
               && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        context.stop();
        check(count.get() == expected, "the component delivered " + count.get() + " rows, not " + expected);
        try (Connection c = server.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            ps.execute();
        }
        return new Line(run, "component", count.get(), seconds, cpuSeconds);
    }

    private static void print(List<Line> lines) {
        System.out.println();
        String header = String.format(Locale.ROOT, "%-8s %-10s %10s %8s %10s %8s", "run", "reader", "rows", "seconds",
                "rows/s", "CPU s");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        for (Line l : lines) {
            System.out.printf(Locale.ROOT, "%-8s %-10s %,10d %8.2f %,10.0f %8.2f%n", l.run(), l.reader(), l.rows(),
                    l.seconds(), l.rows() / l.seconds(), l.cpuSeconds());
        }
        System.out.println();
        double bestCopy = 0;
        double bestComponent = 0;
        for (int i = 0; i + 1 < lines.size(); i++) {
            Line f = lines.get(i);
            Line comp = lines.get(i + 1);
            if ("COPY".equals(f.reader()) && f.run().equals(comp.run())) {
                double a = comp.rows() / comp.seconds();
                double b = f.rows() / f.seconds();
                System.out.printf(Locale.ROOT, "run %s: component/COPY = %.2fx (%,.0f / %,.0f rows/s)%n", f.run(),
                        a / b, a, b);
                bestCopy = Math.max(bestCopy, b);
                bestComponent = Math.max(bestComponent, a);
            }
        }
        System.out.printf(Locale.ROOT, "best of runs: component/COPY = %.2fx (%,.0f / %,.0f rows/s)%n",
                bestComponent / bestCopy, bestComponent, bestCopy);
        System.out.println("CPU s: this JVM's CPU (all threads) during the read; the server's backends are not"
                           + " included.");
    }

    private static String size(Connection c) throws Exception {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_size_pretty(pg_relation_size('" + TABLE + "'))")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException("Benchmark result is not valid: " + message);
        }
    }
}
