package io.pgreplication.camel.benchmarks.catalog;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.pgreplication.camel.PgReplicationEndpoint;
import io.pgreplication.camel.benchmarks.support.BenchmarkBacklog;
import io.pgreplication.camel.benchmarks.support.FloorReader;
import io.pgreplication.camel.benchmarks.support.Heap;
import io.pgreplication.camel.benchmarks.support.JvmCpu;
import io.pgreplication.camel.examples.EmbeddedServer;
import io.pgreplication.camel.examples.SlotPosition;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Cost that grows with the work, not with the catalog: the same number of changes streamed from ONE published table
 * and from {@code bench.tables} published tables (changes spread over all of them), in one run on one server.
 * <ol>
 * <li>creates both sets of tables (the narrow shape of the streaming benchmark) and a publication for each; then the
 * one-table slots and {@code bench.rows} inserts into the one table, then the many-tables slots and as many inserts
 * into the many tables, in 1,000-row transactions; each transaction of the many tables writes
 * {@code bench.tablesPerTransaction} of them, in turn, so every table gets changes throughout the backlog;</li>
 * <li>warms the JVM up with a read of the one-table backlog;</li>
 * <li>{@code bench.repeat} times, reads each backlog with a fresh CamelContext on a slot of its own, {@code tables=}
 * naming every table, into a route that counts events;</li>
 * <li>prints for each: the start (context start to first exchange), events/s from the first exchange to the last
 * event, exchanges, JVM CPU and what the running consumer keeps after a full GC; and the medians, with the ratio of
 * the two throughputs.</li>
 * </ol>
 * Run with {@code mvn -B -q -Pcatalog-benchmark package -DskipTests} from the repository root.
 */
public final class ManyTablesBenchmark {

    private static final String SHAPE = "(id bigint PRIMARY KEY, a int, b text, c timestamptz)";
    private static final int PER_TRANSACTION = 1000;

    private ManyTablesBenchmark() {
    }

    private record Line(String run, int tables, CountedRun.Timing timing, double retainedMb) {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.getLong("bench.rows", 1_000_000);
        int tables = Integer.getInteger("bench.tables", 1000);
        int spread = Integer.getInteger("bench.tablesPerTransaction", 10);
        int batchSize = Integer.getInteger("bench.batchSize", 1000);
        int repeat = Integer.getInteger("bench.repeat", 3);
        if (rows % PER_TRANSACTION != 0 || PER_TRANSACTION % spread != 0 || spread > tables) {
            throw new IllegalArgumentException("bench.rows must be a multiple of 1000 and bench.tablesPerTransaction"
                                               + " a divisor of 1000 no larger than bench.tables");
        }
        try (EmbeddedServer server = EmbeddedServer.start(EmbeddedServer.BENCHMARK_SETTINGS);
             Connection c = server.connect()) {
            Runtime rt = Runtime.getRuntime();
            System.out.println("== camel-pgreplication catalog benchmark: one table against many ==");
            System.out.printf(Locale.ROOT, "CPUs %d, JVM max heap %d MB, %s %s; server %s%n", rt.availableProcessors(),
                    rt.maxMemory() >> 20, System.getProperty("java.vm.name"), System.getProperty("java.version"),
                    BenchmarkBacklog.serverVersionText(c));
            List<String> many = new ArrayList<>();
            for (int i = 1; i <= tables; i++) {
                many.add(String.format(Locale.ROOT, "cat_many.t%04d", i));
            }
            List<String> oneSlots = new ArrayList<>(List.of("cat_warmup", "cat_one_floor"));
            List<String> manySlots = new ArrayList<>(List.of("cat_many_floor"));
            for (int i = 1; i <= repeat; i++) {
                oneSlots.add("cat_one_" + i);
                manySlots.add("cat_many_" + i);
            }
            long setup = System.nanoTime();
            prepare(c, many);
            System.out.printf(Locale.ROOT, "Created 1 + %,d tables and 2 publications in %.1f s%n", tables,
                    (System.nanoTime() - setup) / 1e9);
            // Each set of slots is created just before its own load, so no read has to skip the other's WAL first.
            long load = System.nanoTime();
            createSlots(c, oneSlots);
            loadBacklog(c, "cat_one", 1, rows, 1);
            long oneEnd = SlotPosition.currentLsn(c);
            createSlots(c, manySlots);
            loadBacklog(c, "cat_many", tables, rows, spread);
            long manyEnd = SlotPosition.currentLsn(c);
            System.out.printf(Locale.ROOT, "Backlog: %,d inserts into cat_one.t0001 and %,d into the %,d tables of"
                                           + " cat_many (%d tables per 1,000-row transaction), written in %.1f s%n",
                    rows, rows, tables, spread, (System.nanoTime() - load) / 1e9);

            // The server's share: pg_recvlogical (or a bare pgjdbc reader) reads each backlog to its end.
            FloorReader floor = FloorReader.choose("auto");
            int protocol = BenchmarkBacklog.protocolVersion(BenchmarkBacklog.serverVersion(c));
            FloorReader.Timing oneFloor = floor.read(server, "cat_one_floor", "cat_one_pub", protocol, oneEnd);
            FloorReader.Timing manyFloor = floor.read(server, "cat_many_floor", "cat_many_pub", protocol, manyEnd);
            System.out.printf(Locale.ROOT, "REFERENCE %s one_table_seconds=%.2f tables_seconds=%.2f ratio=%.2f%n",
                    floor.name().replace(' ', '_'), oneFloor.seconds(), manyFloor.seconds(),
                    oneFloor.seconds() / manyFloor.seconds());

            List<Line> lines = new ArrayList<>();
            lines.add(read(server, "warm-up", "cat_warmup", "cat_one_pub", List.of("cat_one.t0001"), rows, batchSize));
            for (int i = 1; i <= repeat; i++) {
                lines.add(read(server, i + ": 1 table", "cat_one_" + i, "cat_one_pub", List.of("cat_one.t0001"), rows,
                        batchSize));
                lines.add(read(server, i + ": " + tables + " tables", "cat_many_" + i, "cat_many_pub", many, rows,
                        batchSize));
            }
            print(lines);
            for (String slot : oneSlots) {
                BenchmarkBacklog.dropSlot(c, slot);
            }
            for (String slot : manySlots) {
                BenchmarkBacklog.dropSlot(c, slot);
            }
        }
    }

    private static void prepare(Connection c, List<String> many) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                       + " WHERE slot_name LIKE 'cat\\_%' AND NOT active");
            st.execute("DROP PUBLICATION IF EXISTS cat_one_pub");
            st.execute("DROP PUBLICATION IF EXISTS cat_many_pub");
            st.execute("DROP SCHEMA IF EXISTS cat_one CASCADE");
            st.execute("DROP SCHEMA IF EXISTS cat_many CASCADE");
            st.execute("CREATE SCHEMA cat_one");
            st.execute("CREATE SCHEMA cat_many");
            st.execute("CREATE TABLE cat_one.t0001 " + SHAPE);
            st.execute("DO $$ BEGIN FOR i IN 1.." + many.size() + " LOOP EXECUTE format('CREATE TABLE cat_many.t%s "
                       + SHAPE + "', lpad(i::text, 4, '0')); END LOOP; END $$");
            st.execute("CREATE PUBLICATION cat_one_pub FOR TABLE cat_one.t0001");
            st.execute("CREATE PUBLICATION cat_many_pub FOR TABLE " + String.join(", ", many));
        }
    }

    private static void createSlots(Connection c, List<String> slots) throws Exception {
        for (String slot : slots) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
                ps.setString(1, slot);
                ps.execute();
            }
        }
    }

    /**
     * Inserts {@code rows} rows into tables {@code schema.t0001..}: transactions of 1,000 rows, each writing
     * {@code spread} tables in turn, in a server-side procedure.
     */
    private static void loadBacklog(Connection c, String schema, int tables, long rows, int spread) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE PROCEDURE cat_load(schema text, tables int, total bigint, spread int)"
                       + " LANGUAGE plpgsql AS $$ DECLARE first bigint := 1; t bigint := 0; per bigint := "
                       + PER_TRANSACTION + " / spread; BEGIN"
                       + " WHILE first <= total LOOP"
                       + "  FOR j IN 0 .. spread - 1 LOOP"
                       + "   EXECUTE format('INSERT INTO %I.%I SELECT g, (g %% 100000)::int, md5(g::text),"
                       + "    now() + g * interval ''1 millisecond'' FROM generate_series($1, $2) g', schema,"
                       + "    't' || lpad(((t * spread + j) % tables + 1)::text, 4, '0')) USING first, first + per - 1;"
                       + "   first := first + per;"
                       + "  END LOOP;"
                       + "  COMMIT; t := t + 1;"
                       + " END LOOP; END $$");
        }
        c.setAutoCommit(true);
        try (CallableStatement call = c.prepareCall("CALL cat_load(?, ?, ?, ?)")) {
            call.setString(1, schema);
            call.setInt(2, tables);
            call.setLong(3, rows);
            call.setInt(4, spread);
            call.execute();
        }
    }

    /** One timed read of a slot by a fresh CamelContext into a counting route. */
    private static Line read(EmbeddedServer server, String run, String slot, String publication, List<String> tables,
                             long rows, int batchSize) throws Exception {
        System.out.printf(Locale.ROOT, "%s: component on %s%n", run, slot);
        double before = Heap.retainedMb();
        CountedRun counter = new CountedRun(rows);
        CamelContext camel = new DefaultCamelContext();
        PgReplicationEndpoint endpoint = camel.getEndpoint("pgreplication:" + slot + "?publication=" + publication
                + "&createSlot=false&createPublication=false&batchSize=" + batchSize + "&"
                + server.endpointOptions(), PgReplicationEndpoint.class);
        // Set here rather than in the URI, which would be 16 KB long for 1,000 tables.
        endpoint.getConfiguration().setTables(String.join(",", tables));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(endpoint).routeId(slot).process(counter);
            }
        });
        double cpu = JvmCpu.seconds();
        long start = System.nanoTime();
        CountedRun.Timing timing;
        double retained;
        try {
            camel.start();
            timing = counter.await(start, cpu, 30);
            // Still running: what the consumer keeps for these tables (relation shapes, batches, caches).
            retained = Heap.retainedMb() - before;
        } finally {
            camel.close();
        }
        if (timing.events() != rows) {
            throw new IllegalStateException("Benchmark result is not valid: " + timing.events() + " events, not "
                                            + rows);
        }
        return new Line(run, tables.size(), timing, retained);
    }

    private static void print(List<Line> lines) {
        System.out.println();
        String header = String.format(Locale.ROOT, "%-15s %7s %10s %9s %9s %10s %10s %7s %9s", "run", "tables",
                "events", "start s", "seconds", "events/s", "exchanges", "CPU s", "kept MB");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        for (Line l : lines) {
            CountedRun.Timing t = l.timing();
            System.out.printf(Locale.ROOT, "%-15s %,7d %,10d %9.2f %9.2f %,10.0f %,10d %7.2f %9.1f%n", l.run(),
                    l.tables(), t.events(), t.startSeconds(), t.seconds(), t.eventsPerSecond(), t.exchanges(),
                    t.cpuSeconds(), l.retainedMb());
        }
        List<Line> ones = lines.stream().filter(l -> l.tables() == 1 && !l.run().equals("warm-up")).toList();
        List<Line> manys = lines.stream().filter(l -> l.tables() > 1).toList();
        double one = median(ones.stream().mapToDouble(l -> l.timing().eventsPerSecond()).toArray());
        double many = median(manys.stream().mapToDouble(l -> l.timing().eventsPerSecond()).toArray());
        System.out.printf(Locale.ROOT, "%nRESULT catalog tables=%d events_per_s=%.0f one_table_events_per_s=%.0f"
                                       + " ratio=%.2f start_s=%.2f one_table_start_s=%.2f kept_mb=%.1f"
                                       + " one_table_kept_mb=%.1f%n", manys.get(0).tables(), many, one, many / one,
                median(manys.stream().mapToDouble(l -> l.timing().startSeconds()).toArray()),
                median(ones.stream().mapToDouble(l -> l.timing().startSeconds()).toArray()),
                median(manys.stream().mapToDouble(Line::retainedMb).toArray()),
                median(ones.stream().mapToDouble(Line::retainedMb).toArray()));
        System.out.println("Medians of the repetitions. start s: context start to the first exchange."
                           + " seconds and events/s: first exchange to the last event. kept MB: heap the running"
                           + " consumer holds after a full GC.");
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
