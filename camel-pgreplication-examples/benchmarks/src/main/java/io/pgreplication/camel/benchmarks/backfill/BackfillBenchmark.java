package io.pgreplication.camel.benchmarks.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.benchmarks.support.BenchmarkBacklog;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.examples.EmbeddedServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Online backfill (docs/benchmarks.md): one streaming consumer of two tables, a {@code bench.rows}-row table and a
 * small one a writer commits single-row transactions into at {@code bench.rate} per second the whole time. Each run
 * reads the big table with a bare pgjdbc {@code COPY (SELECT ...) TO STDOUT} (the floor), then asks the consumer to
 * backfill it ({@code operation=backfill}) and times it from the request until the route holds every row (after one
 * warm-up backfill, not compared). Throughout,
 * the commit-to-exchange latency of the small table's changes is recorded, and reported apart for the changes
 * committed while a backfill ran and for the others. One sitting, one command:
 * {@code mvn -B -q -Pbackfill-benchmark package -DskipTests}.
 */
public final class BackfillBenchmark {

    private static final String BIG = "public.backfill_bench";
    private static final String OTHER = "public.backfill_other";
    private static final String SLOT = "backfill_bench";
    private static final String COLUMNS = "id, a, b, c";

    private BackfillBenchmark() {
    }

    private record Line(String run, String reader, long rows, double seconds) {
    }

    /** A backfill's time window, by wall clock, to sort the other table's changes into during and outside. */
    private record Window(Instant from, Instant to) {
        boolean holds(Instant t) {
            return !t.isBefore(from) && !t.isAfter(to);
        }
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.getLong("bench.rows", 1_000_000);
        int repeat = Integer.getInteger("bench.repeat", 2);
        int rate = Integer.getInteger("bench.rate", 1000);
        int parallelism = Integer.getInteger("bench.parallelism", 2);
        int batchSize = Integer.getInteger("bench.batchSize", 1000);
        // As in the latency benchmark: commits reach walsenders promptly (synchronous_commit on, a short
        // wal_writer_delay), so the latency measured is the consumer's.
        Map<String, String> settings = new HashMap<>(EmbeddedServer.BENCHMARK_SETTINGS);
        settings.remove("synchronous_commit");
        settings.put("wal_writer_delay", "10ms");
        try (EmbeddedServer server = EmbeddedServer.start(settings)) {
            try (Connection c = server.connect()) {
                header(c, server, rows, rate, parallelism, batchSize);
                load(c, rows);
            }
            Map<String, AtomicLong> backfilled = new ConcurrentHashMap<>();
            List<long[]> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
            CamelContext camel = new DefaultCamelContext();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("pgreplication:" + SLOT + "?" + server.endpointOptions() + "&tables=" + BIG + "," + OTHER
                         + "&snapshotParallelism=" + parallelism + "&batchSize=" + batchSize + "&statusInterval=1s")
                            .process(e -> receive(e, backfilled, latencies));
                }
            });
            camel.start();
            Writer writer = new Writer(server, rate);
            Thread writing = new Thread(writer, "writer");
            writing.start();
            Thread.sleep(3000); // the stream and the writer settle
            List<Line> lines = new ArrayList<>();
            List<Window> windows = new ArrayList<>();
            // Warm-up: one backfill, not compared (class loading, JIT); latency is measured from its end.
            backfill(camel, server, "warm-up", rows, backfilled, new ArrayList<>());
            Thread.sleep(2000);
            long measureFrom = System.currentTimeMillis();
            for (int i = 1; i <= repeat; i++) {
                lines.add(copy(server, String.valueOf(i), rows));
                lines.add(backfill(camel, server, String.valueOf(i), rows, backfilled, windows));
                Thread.sleep(2000);
            }
            writer.stop();
            writing.join();
            Thread.sleep(1000);
            camel.close();
            print(lines, latencies, windows, measureFrom, writer);
        }
    }

    private static void header(Connection c, EmbeddedServer server, long rows, int rate, int parallelism,
                               int batchSize) throws Exception {
        Runtime rt = Runtime.getRuntime();
        System.out.println("== camel-pgreplication online backfill benchmark ==");
        System.out.printf(Locale.ROOT, "CPUs %d, JVM max heap %d MB, %s %s%n", rt.availableProcessors(),
                rt.maxMemory() / (1024 * 1024), System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "Server: %s (%s)%n", BenchmarkBacklog.serverVersionText(c),
                server.isEmbedded() ? "embedded" : server.jdbcUrl());
        System.out.printf(Locale.ROOT, "Backfilled: %s, %,d rows; floor: COPY (SELECT %s FROM %s) TO STDOUT, text,"
                                       + " one pgjdbc connection%n", BIG, rows, COLUMNS, BIG);
        System.out.printf(Locale.ROOT, "Consumer: tables=%s,%s, snapshotParallelism=%d, batchSize=%d; a writer"
                                       + " commits single-row inserts into %s at %d tx/s throughout%n", BIG, OTHER,
                parallelism, batchSize, OTHER, rate);
    }

    private static void load(Connection c, long rows) throws Exception {
        long start = System.nanoTime();
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                      + SLOT + "'");
            s.execute("DROP PUBLICATION IF EXISTS " + SLOT);
            s.execute("DROP TABLE IF EXISTS " + BIG + ", " + OTHER);
            s.execute("CREATE TABLE " + BIG + " (id bigint PRIMARY KEY, a int, b text, c timestamptz)");
            s.execute("INSERT INTO " + BIG + " SELECT g, g % 1000, md5(g::text), now() - g * interval '1 s'"
                      + " FROM generate_series(1, " + rows + ") g");
            s.execute("VACUUM ANALYZE " + BIG);
            s.execute("CREATE TABLE " + OTHER + " (id bigserial PRIMARY KEY, v int)");
        }
        System.out.printf(Locale.ROOT, "Loaded in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** Counts backfill rows per request id; records the other table's commit-to-exchange latency. */
    private static void receive(Exchange e, Map<String, AtomicLong> backfilled, List<long[]> latencies) {
        String id = e.getIn().getHeader(PgReplicationConstants.BACKFILL, String.class);
        List<?> events = e.getIn().getBody(List.class);
        if (id != null) {
            backfilled.computeIfAbsent(id, k -> new AtomicLong()).addAndGet(events.size());
            return;
        }
        Instant now = Instant.now();
        long[] batch = new long[events.size() * 2];
        int i = 0;
        for (Object o : events) {
            ChangeEvent event = (ChangeEvent) o;
            if (event.getTable().equals("backfill_other")) {
                Instant commit = event.commitInstant();
                batch[i++] = commit.toEpochMilli();
                batch[i++] = Duration.between(commit, now).toNanos() / 1000;
            }
        }
        latencies.add(Arrays.copyOf(batch, i));
    }

    /** The floor: the table through COPY text on one connection, counted and dropped. */
    private static Line copy(EmbeddedServer server, String run, long expected) throws Exception {
        long start = System.nanoTime();
        long count = 0;
        try (Connection c = server.connect()) {
            CopyOut out = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY (SELECT " + COLUMNS + " FROM " + BIG + ") TO STDOUT");
            while (out.readFromCopy() != null) {
                count++;
            }
        }
        check(count == expected, "COPY read " + count + " rows, not " + expected);
        return new Line(run, "COPY", count, (System.nanoTime() - start) / 1e9);
    }

    /** One backfill, from the request until the route has every row of it. */
    private static Line backfill(CamelContext camel, EmbeddedServer server, String run, long expected,
                                 Map<String, AtomicLong> backfilled, List<Window> windows) throws Exception {
        Instant from = Instant.now();
        long start = System.nanoTime();
        Exchange reply = camel.createProducerTemplate().request("pgreplication:" + SLOT + "?"
                                                                + server.endpointOptions() + "&tables=" + BIG
                                                                + "&operation=backfill", e -> {
                                                                });
        if (reply.getException() != null) {
            throw reply.getException();
        }
        String id = reply.getMessage().getHeader(PgReplicationConstants.BACKFILL, String.class);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (backfilled.getOrDefault(id, new AtomicLong()).get() < expected && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        windows.add(new Window(from, Instant.now()));
        long got = backfilled.getOrDefault(id, new AtomicLong()).get();
        check(got == expected, "the backfill delivered " + got + " rows, not " + expected);
        return new Line(run, "backfill", got, seconds);
    }

    private static void print(List<Line> lines, List<long[]> latencies, List<Window> windows, long measureFrom,
                              Writer writer) {
        System.out.println();
        String header = String.format(Locale.ROOT, "%-5s %-9s %10s %8s %10s", "run", "reader", "rows", "seconds",
                "rows/s");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        for (Line l : lines) {
            System.out.printf(Locale.ROOT, "%-5s %-9s %,10d %8.2f %,10.0f%n", l.run(), l.reader(), l.rows(),
                    l.seconds(), l.rows() / l.seconds());
        }
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            double copy = lines.get(i).rows() / lines.get(i).seconds();
            double backfill = lines.get(i + 1).rows() / lines.get(i + 1).seconds();
            System.out.printf(Locale.ROOT, "run %s: backfill/COPY = %.2fx (%,.0f / %,.0f rows/s)%n",
                    lines.get(i).run(), backfill / copy, backfill, copy);
        }
        List<Long> during = new ArrayList<>();
        List<Long> outside = new ArrayList<>();
        synchronized (latencies) {
            for (long[] batch : latencies) {
                for (int i = 0; i < batch.length; i += 2) {
                    Instant commit = Instant.ofEpochMilli(batch[i]);
                    if (batch[i] < measureFrom) {
                        continue;
                    }
                    (windows.stream().anyMatch(w -> w.holds(commit)) ? during : outside).add(batch[i + 1]);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nwriter: %,d single-row commits into %s, %.0f tx/s achieved%n",
                writer.commits(), OTHER, writer.achievedRate());
        latency("commit-to-exchange of " + OTHER + " changes during backfills", during);
        latency("commit-to-exchange of " + OTHER + " changes outside backfills", outside);
    }

    private static void latency(String what, List<Long> micros) {
        if (micros.isEmpty()) {
            System.out.printf(Locale.ROOT, "latency: %s: none%n", what);
            return;
        }
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "latency: %s: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d changes)%n", what,
                percentile(sorted, 50) / 1000.0, percentile(sorted, 99) / 1000.0, sorted[sorted.length - 1] / 1000.0,
                sorted.length);
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException("Benchmark result is not valid: " + message);
        }
    }

    /** Single-row inserts at a steady rate until stopped. */
    private static final class Writer implements Runnable {
        private final EmbeddedServer server;
        private final int rate;
        private volatile boolean running = true;
        private volatile long commits;
        private volatile long nanos;

        Writer(EmbeddedServer server, int rate) {
            this.server = server;
            this.rate = rate;
        }

        @Override
        public void run() {
            try (Connection c = server.connect();
                 PreparedStatement insert = c.prepareStatement("INSERT INTO " + OTHER + " (v) VALUES (?)")) {
                long interval = TimeUnit.SECONDS.toNanos(1) / rate;
                long start = System.nanoTime();
                for (long i = 0; running; i++) {
                    long wait = start + i * interval - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    insert.setInt(1, (int) i);
                    insert.executeUpdate();
                    commits = i + 1;
                }
                nanos = System.nanoTime() - start;
            } catch (Exception e) {
                throw new IllegalStateException("writer failed", e);
            }
        }

        void stop() {
            running = false;
        }

        long commits() {
            return commits;
        }

        double achievedRate() {
            return nanos == 0 ? 0 : commits / (nanos / 1e9);
        }
    }
}
