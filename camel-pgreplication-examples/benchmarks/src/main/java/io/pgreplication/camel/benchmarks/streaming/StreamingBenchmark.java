package io.pgreplication.camel.benchmarks.streaming;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.pgreplication.camel.benchmarks.support.BenchmarkBacklog;
import io.pgreplication.camel.benchmarks.support.FloorReader;
import io.pgreplication.camel.examples.EmbeddedServer;
import io.pgreplication.camel.examples.SlotPosition;
import org.postgresql.replication.LogSequenceNumber;

/**
 * Streaming throughput of the component against the client-side floor (docs/benchmarks.md), in one
 * run on one WAL backlog:
 * <ol>
 * <li>creates table, publication and every slot first, then writes {@code bench.rows} rows in {@code bench.txSize}-row
 * transactions, so each slot decodes exactly the same WAL;</li>
 * <li>warms the JVM up with the component on a slot of its own, reading the whole backlog (or {@code bench.warmup}
 * events);</li>
 * <li>{@code bench.repeat} times: the floor ({@code bench.floor}: pg_recvlogical or a bare pgjdbc reader) reads its
 * slot to the end LSN, then the component reads its slot until it delivered every row;</li>
 * <li>prints rows/s for both and their ratio.</li>
 * </ol>
 * Run with {@code mvn -B -q -Pbenchmark package -DskipTests -Dbench.rows=1000000} from the repository root.
 */
public final class StreamingBenchmark {

    private static final String SLOT_PREFIX = "pgrbench_";

    private StreamingBenchmark() {
    }

    /** One line of the results table. */
    private record Line(String run, String reader, long rows, double walMb, double seconds, double cpuSeconds,
                        double walsenderCpuSeconds, long spilled, String note) {
        double rowsPerSecond(long expected) {
            return expected / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.getLong("bench.rows", 1_000_000);
        int repeat = Integer.getInteger("bench.repeat", 2);
        // By default the warm-up reads the whole backlog once, so the timed runs measure compiled code throughout,
        // including the caught-up end of the backlog.
        String warmupText = System.getProperty("bench.warmup", "all");
        long warmup = "all".equals(warmupText) ? rows : Math.min(rows, Long.parseLong(warmupText));
        int batchSize = Integer.getInteger("bench.batchSize", 1000);
        boolean binary = Boolean.parseBoolean(System.getProperty("bench.binaryValues", "true"));
        long perTransaction = Long.getLong("bench.txSize", 1000);
        BenchmarkBacklog.Shape shape = BenchmarkBacklog.Shape.valueOf(
                System.getProperty("bench.shape", "narrow").toUpperCase(Locale.ROOT));
        FloorReader floor = FloorReader.choose(System.getProperty("bench.floor", "auto"));

        List<String> slots = new ArrayList<>();
        String warmupSlot = SLOT_PREFIX + "warmup";
        if (warmup > 0) {
            slots.add(warmupSlot);
        }
        for (int i = 1; i <= repeat; i++) {
            slots.add(SLOT_PREFIX + "floor_" + i);
            slots.add(SLOT_PREFIX + "component_" + i);
        }

        try (EmbeddedServer server = EmbeddedServer.start(EmbeddedServer.BENCHMARK_SETTINGS);
             Connection c = server.connect()) {
            int version = BenchmarkBacklog.serverVersion(c);
            int protocol = BenchmarkBacklog.protocolVersion(version);
            printMachine(server, c, floor, protocol, binary);

            BenchmarkBacklog.prepare(c, slots, shape);
            System.out.printf(Locale.ROOT, "%nWriting the backlog: %,d %s rows in %,d-row transactions, %d slots"
                                           + " waiting%n", rows, shape.name().toLowerCase(Locale.ROOT), perTransaction,
                    slots.size());
            BenchmarkBacklog.Result backlog = BenchmarkBacklog.load(c, rows, perTransaction, shape);
            System.out.printf(Locale.ROOT, "Backlog: %,d transactions, WAL %s .. %s = %.1f MB, written in %.1f s%n",
                    backlog.transactions(), lsn(backlog.startLsn()), lsn(backlog.endLsn()), backlog.walMegabytes(),
                    backlog.loadSeconds());

            List<Line> lines = new ArrayList<>();
            if (warmup > 0) {
                System.out.printf(Locale.ROOT, "Warm-up: component on %s until %,d events%n", warmupSlot, warmup);
                WalsenderCpu ws = WalsenderCpu.watch(server, warmupSlot);
                ComponentRun.Timing t = ComponentRun.read(server, warmupSlot, warmup, batchSize, binary);
                ws.close();
                lines.add(new Line("warm-up", "component", t.rows(), Double.NaN, t.receivedSeconds(),
                        t.clientCpuSeconds(), ws.seconds(), BenchmarkBacklog.spilledBytes(c, warmupSlot),
                        String.format(Locale.ROOT, "not compared; JIT %.2f s", t.jitSeconds())));
            }
            for (int i = 1; i <= repeat; i++) {
                String floorSlot = SLOT_PREFIX + "floor_" + i;
                System.out.printf(Locale.ROOT, "Run %d: %s on %s%n", i, floor.name(), floorSlot);
                WalsenderCpu fws = WalsenderCpu.watch(server, floorSlot);
                FloorReader.Timing f = floor.read(server, floorSlot, BenchmarkBacklog.PUBLICATION, protocol,
                        backlog.endLsn());
                fws.close();
                long floorConfirmed = SlotPosition.confirmedFlush(c, floorSlot);
                lines.add(new Line(String.valueOf(i), f.reader(), f.rows() < 0 ? rows : f.rows(), backlog.walMegabytes(),
                        f.seconds(), f.clientCpuSeconds(), fws.seconds(), BenchmarkBacklog.spilledBytes(c, floorSlot),
                        (f.rows() < 0 ? "rows not counted; " : "") + "slot confirmed " + lsn(floorConfirmed)));
                check(f.rows() < 0 || f.rows() == rows, floor.name() + " counted " + f.rows() + " inserts, not " + rows);
                long left = BenchmarkBacklog.insertsLeft(c, floorSlot, protocol);
                check(left == 0, floor.name() + " stopped with " + left + " inserts of the backlog still unread (slot"
                                 + " confirmed " + lsn(floorConfirmed) + ", end " + lsn(backlog.endLsn()) + ")");

                String componentSlot = SLOT_PREFIX + "component_" + i;
                System.out.printf(Locale.ROOT, "Run %d: component on %s%n", i, componentSlot);
                WalsenderCpu cws = WalsenderCpu.watch(server, componentSlot);
                ComponentRun.Timing t = ComponentRun.read(server, componentSlot, rows, batchSize, binary);
                cws.close();
                lines.add(new Line(String.valueOf(i), "component", t.rows(), backlog.walMegabytes(), t.receivedSeconds(),
                        t.clientCpuSeconds(), cws.seconds(), BenchmarkBacklog.spilledBytes(c, componentSlot),
                        String.format(Locale.ROOT, "%.2f s to confirmable; slot confirmed %s; %,d exchanges of %.0f"
                                                   + " events on average; JIT %.2f s", t.confirmedSeconds(),
                                lsn(SlotPosition.confirmedFlush(c, componentSlot)), t.exchanges(),
                                (double) t.rows() / t.exchanges(), t.jitSeconds())));
                check(t.rows() == rows, "the component delivered " + t.rows() + " events, not " + rows);
                check(t.confirmed(), "the component did not confirm " + componentSlot + " past its last commit");
            }
            printTable(lines, rows);
            for (String slot : slots) {
                BenchmarkBacklog.dropSlot(c, slot);
            }
        }
    }

    private static void printMachine(EmbeddedServer server, Connection c, FloorReader floor, int protocol,
                                     boolean binary) throws Exception {
        Runtime rt = Runtime.getRuntime();
        System.out.println("== camel-pgreplication streaming benchmark ==");
        System.out.printf(Locale.ROOT, "CPUs %d, JVM max heap %d MB, %s %s (%s)%n", rt.availableProcessors(),
                rt.maxMemory() / (1024 * 1024), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        System.out.printf(Locale.ROOT, "Server: %s (%s), pgoutput proto_version=%d; the component reads %s values,"
                                       + " the floor text values%n", BenchmarkBacklog.serverVersionText(c),
                server.isEmbedded() ? "embedded" : server.jdbcUrl(), protocol, binary ? "binary" : "text");
        String floorVersion = floor instanceof FloorReader.RecvLogical r ? r.version() : "pgjdbc in this JVM";
        System.out.printf(Locale.ROOT, "Floor: %s (%s)%n", floor.name(), floorVersion);
    }

    private static void printTable(List<Line> lines, long rows) {
        System.out.println();
        String header = String.format(Locale.ROOT, "%-8s %-15s %10s %8s %8s %10s %8s %8s %9s %9s  %s", "run",
                "reader", "rows", "WAL MB", "seconds", "rows/s", "WAL MB/s", "CPU s", "server s", "spill MB", "note");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        for (Line l : lines) {
            System.out.printf(Locale.ROOT, "%-8s %-15s %,10d %8s %8.2f %,10.0f %8s %8s %9s %9s  %s%n", l.run(),
                    l.reader(), l.rows(), Double.isNaN(l.walMb()) ? "-" : String.format(Locale.ROOT, "%.1f", l.walMb()),
                    l.seconds(), l.rows() / l.seconds(),
                    Double.isNaN(l.walMb()) ? "-" : String.format(Locale.ROOT, "%.1f", l.walMb() / l.seconds()),
                    Double.isNaN(l.cpuSeconds()) || l.cpuSeconds() < 0 ? "n/a"
                            : String.format(Locale.ROOT, "%.2f", l.cpuSeconds()),
                    l.walsenderCpuSeconds() < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", l.walsenderCpuSeconds()),
                    l.spilled() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", l.spilled() / (1024.0 * 1024.0)),
                    l.note());
        }
        System.out.println();
        double bestFloor = 0;
        double bestComponent = 0;
        for (int i = 0; i + 1 < lines.size(); i++) {
            Line f = lines.get(i);
            Line comp = lines.get(i + 1);
            if (!"component".equals(f.reader()) && "component".equals(comp.reader()) && f.run().equals(comp.run())) {
                double ratio = comp.rowsPerSecond(rows) / f.rowsPerSecond(rows);
                System.out.printf(Locale.ROOT, "run %s: component/floor = %.2fx (%,.0f / %,.0f rows/s)%n", f.run(),
                        ratio, comp.rowsPerSecond(rows), f.rowsPerSecond(rows));
                bestFloor = Math.max(bestFloor, f.rowsPerSecond(rows));
                bestComponent = Math.max(bestComponent, comp.rowsPerSecond(rows));
            }
        }
        if (bestFloor > 0) {
            System.out.printf(Locale.ROOT, "best of runs: component/floor = %.2fx (%,.0f / %,.0f rows/s)%n",
                    bestComponent / bestFloor, bestComponent, bestFloor);
        }
        System.out.println("CPU s: client CPU (pg_recvlogical: its own; Java readers: the whole JVM, all threads)."
                           + " server s: CPU of the slot's walsender (local server only).");
    }

    private static String lsn(long value) {
        return value < 0 ? "none" : LogSequenceNumber.valueOf(value).asString();
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException("Benchmark result is not valid: " + message);
        }
    }
}
