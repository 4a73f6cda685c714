package io.pgreplication.camel.benchmarks.catalog;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.benchmarks.support.BenchmarkBacklog;
import io.pgreplication.camel.benchmarks.support.Heap;
import io.pgreplication.camel.benchmarks.support.JvmCpu;
import io.pgreplication.camel.examples.EmbeddedServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Many routes in one JVM: {@code bench.routes} routes, each on its own slot, in one CamelContext, all reading the
 * same backlog of {@code bench.rows} inserts (1,000-row transactions) at once. Before them, one route reads the
 * backlog alone on a slot of its own, for reference (and to warm the JVM up). Prints each route's events/s, how many
 * routes finished, the JVM's threads, CPU, and the heap the running consumers keep after a full GC; fails unless
 * every route received every event.
 *
 * <p>Run with {@code mvn -B -q -Proutes-benchmark package -DskipTests} from the repository root.
 */
public final class ManyRoutesBenchmark {

    private static final String SLOT_PREFIX = "pgrroutes_";

    private ManyRoutesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.getLong("bench.rows", 100_000);
        int routes = Integer.getInteger("bench.routes", 20);
        int batchSize = Integer.getInteger("bench.batchSize", 1000);
        Map<String, String> settings = new HashMap<>(EmbeddedServer.BENCHMARK_SETTINGS);
        // A walsender and a slot per route, the reference route's and some to spare.
        settings.put("max_wal_senders", String.valueOf(routes + 5));
        settings.put("max_replication_slots", String.valueOf(routes + 5));
        List<String> slots = new ArrayList<>();
        for (int i = 1; i <= routes; i++) {
            slots.add(String.format(Locale.ROOT, SLOT_PREFIX + "%02d", i));
        }
        String alone = SLOT_PREFIX + "alone";
        try (EmbeddedServer server = EmbeddedServer.start(settings); Connection c = server.connect()) {
            Runtime rt = Runtime.getRuntime();
            System.out.println("== camel-pgreplication routes benchmark: many routes on many slots in one JVM ==");
            System.out.printf(Locale.ROOT, "CPUs %d, JVM max heap %d MB, %s %s; server %s%n", rt.availableProcessors(),
                    rt.maxMemory() >> 20, System.getProperty("java.vm.name"), System.getProperty("java.version"),
                    BenchmarkBacklog.serverVersionText(c));
            List<String> all = new ArrayList<>(slots);
            all.add(alone);
            BenchmarkBacklog.prepare(c, all, BenchmarkBacklog.Shape.NARROW);
            BenchmarkBacklog.Result backlog = BenchmarkBacklog.load(c, rows, 1000, BenchmarkBacklog.Shape.NARROW);
            System.out.printf(Locale.ROOT, "Backlog: %,d inserts in %,d transactions, WAL %.1f MB, written in %.1f s;"
                                           + " %d slots waiting%n", rows, backlog.transactions(),
                    backlog.walMegabytes(), backlog.loadSeconds(), all.size());

            double baseline = Heap.retainedMb();
            List<CountedRun.Timing> reference = run(server, List.of(alone), rows, batchSize, 0);
            System.out.printf(Locale.ROOT, "%nOne route alone: %,d events in %.2f s after a %.2f s start = %,.0f"
                                           + " events/s%n", reference.get(0).events(), reference.get(0).seconds(),
                    reference.get(0).startSeconds(), reference.get(0).eventsPerSecond());

            run(server, slots, rows, batchSize, baseline);
            for (String slot : all) {
                BenchmarkBacklog.dropSlot(c, slot);
            }
        }
    }

    /** Runs one route per slot in one CamelContext until each has every event; prints the table for several. */
    private static List<CountedRun.Timing> run(EmbeddedServer server, List<String> slots, long rows, int batchSize,
                                               double baseline) throws Exception {
        List<CountedRun> counters = new ArrayList<>();
        CamelContext camel = new DefaultCamelContext();
        for (String slot : slots) {
            CountedRun counter = new CountedRun(rows);
            counters.add(counter);
            String uri = "pgreplication:" + slot + "?publication=" + BenchmarkBacklog.PUBLICATION + "&tables="
                         + BenchmarkBacklog.TABLE + "&createSlot=false&createPublication=false&batchSize=" + batchSize
                         + "&" + server.endpointOptions();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(uri).routeId(slot).process(counter);
                }
            });
        }
        double cpu = JvmCpu.seconds();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(30);
        int threads;
        double kept;
        List<CountedRun.Timing> timings = new ArrayList<>();
        try {
            camel.start();
            while (!counters.stream().allMatch(CountedRun::reached) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            threads = ManagementFactory.getThreadMXBean().getThreadCount();
            kept = Heap.retainedMb() - baseline;
        } finally {
            camel.close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long finished = counters.stream().filter(CountedRun::reached).count();
        for (CountedRun counter : counters) {
            timings.add(counter.reached() ? counter.timing(start, cpu) : null);
        }
        if (slots.size() == 1) {
            check(finished == 1, "the route received only " + counters.get(0).events() + " of " + rows + " events");
            return timings;
        }
        System.out.printf(Locale.ROOT, "%n%d routes at once:%n", slots.size());
        String header = String.format(Locale.ROOT, "%-16s %10s %9s %9s %10s %10s", "route", "events", "start s",
                "seconds", "events/s", "exchanges");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        double min = Double.MAX_VALUE;
        double max = 0;
        double last = 0;
        for (int i = 0; i < slots.size(); i++) {
            CountedRun.Timing t = timings.get(i);
            if (t == null) {
                System.out.printf(Locale.ROOT, "%-16s %,10d  did not finish%n", slots.get(i), counters.get(i).events());
                continue;
            }
            System.out.printf(Locale.ROOT, "%-16s %,10d %9.2f %9.2f %,10.0f %,10d%n", slots.get(i), t.events(),
                    t.startSeconds(), t.seconds(), t.eventsPerSecond(), t.exchanges());
            min = Math.min(min, t.eventsPerSecond());
            max = Math.max(max, t.eventsPerSecond());
            last = Math.max(last, t.startSeconds() + t.seconds());
        }
        double cpuSeconds = JvmCpu.seconds() - cpu;
        System.out.printf(Locale.ROOT, "%nRESULT routes routes=%d finished=%d min_events_per_s=%.0f"
                                       + " max_events_per_s=%.0f all_done_s=%.2f total_events_per_s=%.0f threads=%d"
                                       + " kept_mb=%.1f%n", slots.size(), finished, min, max, last,
                finished * rows / last, threads, kept);
        System.out.printf(Locale.ROOT, "JVM CPU %.2f s over %.2f s (context start to stop). start s: context start to"
                                       + " the route's first exchange; events/s: from there to its last event."
                                       + " kept MB: heap the running consumers hold after a full GC.%n", cpuSeconds,
                seconds);
        check(finished == slots.size(), (slots.size() - finished) + " routes did not receive every event");
        return timings;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException("Benchmark result is not valid: " + message);
        }
    }
}
