package io.pgreplication.camel.benchmarks.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

import io.pgreplication.camel.benchmarks.support.BenchmarkBacklog;
import io.pgreplication.camel.benchmarks.support.FloorReader;
import io.pgreplication.camel.benchmarks.support.JvmCpu;
import io.pgreplication.camel.examples.EmbeddedServer;
import io.pgreplication.camel.examples.SlotPosition;
import io.pgreplication.camel.examples.TableComparison;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * PostgreSQL to DuckDB end to end, the demo's pipeline ({@code from("pgreplication:...").process(duckDbSink)}) at
 * scale, in one run on embedded PostgreSQL:
 * <ol>
 * <li>warms the JVM up with the whole run below on a table of {@code bench.warmup} rows of its own, untimed;</li>
 * <li>loads {@code bench.rows} rows of the demo's order_lines shape and reads them once with
 * {@code COPY (SELECT ...) TO STDOUT} for reference;</li>
 * <li>snapshot: a route with {@code snapshotMode=initial} copies the table into a new DuckDB file; timed from
 * context start until DuckDbSink has committed every row; then the route stops and DuckDB is compared with
 * PostgreSQL;</li>
 * <li>while no route runs, writes {@code bench.rows} row changes (inserts, updates, key changes, deletes) in
 * 1,000-change transactions, with a second slot created just before for the reference reader;</li>
 * <li>streaming: the route starts again and applies that backlog; timed from context start until DuckDbSink has
 * committed every change; then DuckDB is compared with PostgreSQL again;</li>
 * <li>pg_recvlogical reads the same backlog from its slot, for reference.</li>
 * </ol>
 * Prints {@code RESULT e2e snapshot ...} and {@code RESULT e2e streaming ...} (the only lines starting with RESULT),
 * the {@code REFERENCE} lines, and exits non-zero when DuckDB differs from PostgreSQL. Run with
 * {@code mvn -B -q -Pe2e-benchmark package -DskipTests -Dbench.rows=1000000} from the repository root.
 */
public final class EndToEndBenchmark {

    static final String SLOT = "e2e_slot";

    private EndToEndBenchmark() {
    }

    /** The two timed phases of one workload, each compared with PostgreSQL afterwards. */
    private record Phases(SinkRun snapshot, boolean snapshotEqual, long changes, SinkRun streaming,
                          boolean streamingEqual, long endLsn) {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.getLong("bench.rows", 1_000_000);
        long warmup = Long.getLong("bench.warmup", 200_000);
        int batchSize = Integer.getInteger("bench.batchSize", 10_000);
        String options = System.getProperty("bench.options", "");
        Path duckdb = Path.of(System.getProperty("bench.duckdb", "target/e2e-benchmark.duckdb")).toAbsolutePath();
        OrderLinesWorkload workload = new OrderLinesWorkload("e2e", rows);
        boolean equal;
        try (EmbeddedServer server = EmbeddedServer.start(EmbeddedServer.BENCHMARK_SETTINGS);
             Connection c = server.connect()) {
            Runtime rt = Runtime.getRuntime();
            System.out.println("== camel-pgreplication end-to-end benchmark: PostgreSQL to DuckDB ==");
            System.out.printf(Locale.ROOT, "CPUs %d, JVM max heap %d MB, %s %s; server %s (%s)%n",
                    rt.availableProcessors(), rt.maxMemory() >> 20, System.getProperty("java.vm.name"),
                    System.getProperty("java.version"), BenchmarkBacklog.serverVersionText(c),
                    server.isEmbedded() ? "embedded" : server.jdbcUrl());
            dropSlots(c);
            // Loads DuckDB's native library (extracted on first use) before any clock starts.
            DriverManager.getConnection("jdbc:duckdb:").close();
            if (warmup > 0) {
                // The same pipeline on a smaller table of its own, untimed: class loading and JIT compilation of
                // both paths happen here, as the other benchmarks' warm-ups do.
                OrderLinesWorkload small = new OrderLinesWorkload("e2e_warmup", warmup);
                small.load(c);
                Path file = duckdb.resolveSibling("e2e-warmup.duckdb");
                long began = System.nanoTime();
                Phases p = phases(server, c, small, "e2e_warmup_slot", file, batchSize, options, false);
                System.out.printf(Locale.ROOT, "Warm-up: %,d rows snapshotted, %,d changes streamed, in %.1f s (not"
                                               + " compared, not timed)%n", warmup, p.changes(),
                        (System.nanoTime() - began) / 1e9);
                BenchmarkBacklog.dropSlot(c, "e2e_warmup_slot");
                BenchmarkBacklog.dropSlot(c, "e2e_warmup_slot_recvlogical");
                try (Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA e2e_warmup CASCADE");
                    st.execute("DROP PUBLICATION " + small.publication());
                }
            }
            long loadStart = System.nanoTime();
            workload.load(c);
            System.out.printf(Locale.ROOT, "Table %s: %,d rows (%s), loaded in %.1f s; DuckDB file %s; route option"
                                           + " batchSize=%d%s%n", workload.table(), rows, workload.size(c),
                    (System.nanoTime() - loadStart) / 1e9, duckdb, batchSize, options.isEmpty() ? "" : "&" + options);
            copyReference(server, workload);

            Phases p = phases(server, c, workload, SLOT, duckdb, batchSize, options, true);
            recvlogicalReference(server, c, workload, p.changes(), p.endLsn());
            equal = p.snapshotEqual() && p.streamingEqual();
            dropSlots(c);
        }
        if (!equal) {
            System.exit(1);
        }
    }

    /**
     * Snapshot of the loaded table into a new DuckDB file, then a backlog of changes written with no route running
     * and applied by the route started again. With {@code report}, prints the RESULT lines.
     */
    private static Phases phases(EmbeddedServer server, Connection c, OrderLinesWorkload workload, String slot,
                                 Path duckdb, int batchSize, String options, boolean report) throws Exception {
        Files.createDirectories(duckdb.getParent());
        Files.deleteIfExists(duckdb);
        Files.deleteIfExists(Path.of(duckdb + ".wal"));
        String uri = "pgreplication:" + slot + "?publication=" + workload.publication() + "&tables="
                     + workload.table() + "&createPublication=false&snapshotMode=initial&batchSize=" + batchSize
                     + "&statusInterval=1s" + (options.isEmpty() ? "" : "&" + options) + "&"
                     + server.endpointOptions();
        SinkRun snapshot = SinkRun.until(uri, duckdb, workload.rows());
        boolean snapshotEqual = !report || compare(server, duckdb, workload);
        if (report) {
            System.out.printf(Locale.ROOT, "RESULT e2e snapshot rows=%d seconds=%.2f rows_per_s=%.0f equal=%b%n",
                    snapshot.applied(), snapshot.seconds(), snapshot.applied() / snapshot.seconds(), snapshotEqual);
            System.out.printf(Locale.ROOT, "  snapshot: %,d exchanges, JVM CPU %.2f s (JIT %.2f s)%n",
                    snapshot.exchanges(), snapshot.cpuSeconds(), snapshot.jitSeconds());
        }

        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
            ps.setString(1, slot + "_recvlogical");
            ps.execute();
        }
        long transactions = Math.min(workload.rows() / OrderLinesWorkload.CHANGES_PER_TRANSACTION,
                workload.maxTransactions());
        long writeStart = System.nanoTime();
        long walStart = SlotPosition.currentLsn(c);
        long changes = workload.writeChanges(c, transactions);
        long end = SlotPosition.currentLsn(c);
        check(changes == transactions * OrderLinesWorkload.CHANGES_PER_TRANSACTION,
                "the server counted " + changes + " row changes, not " + transactions * 1000);
        if (report) {
            System.out.printf(Locale.ROOT, "Backlog: %,d transactions of %,d row changes (200 deletes, 400 updates,"
                                           + " 100 key changes, 300 inserts each) = %,d changes, WAL %.1f MB, written"
                                           + " in %.1f s%n", transactions, OrderLinesWorkload.CHANGES_PER_TRANSACTION,
                    changes, (end - walStart) / 1048576.0, (System.nanoTime() - writeStart) / 1e9);
        }

        SinkRun streaming = SinkRun.until(uri, duckdb, changes);
        boolean streamingEqual = !report || compare(server, duckdb, workload);
        if (report) {
            System.out.printf(Locale.ROOT, "RESULT e2e streaming changes=%d seconds=%.2f changes_per_s=%.0f"
                                           + " equal=%b%n", streaming.applied(), streaming.seconds(),
                    streaming.applied() / streaming.seconds(), streamingEqual);
            System.out.printf(Locale.ROOT, "  streaming: %,d exchanges, JVM CPU %.2f s (JIT %.2f s), slot confirmed"
                                           + " past the backlog: %b%n", streaming.exchanges(), streaming.cpuSeconds(),
                    streaming.jitSeconds(), SlotPosition.confirmedFlush(c, slot) >= end);
        }
        return new Phases(snapshot, snapshotEqual, changes, streaming, streamingEqual, end);
    }

    /** COPY of the same table's rows on one connection, counted and dropped. */
    private static void copyReference(EmbeddedServer server, OrderLinesWorkload workload) throws Exception {
        long rows = workload.rows();
        long start = System.nanoTime();
        long count = 0;
        try (Connection c = server.connect()) {
            CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT "
                    + OrderLinesWorkload.COLUMNS + " FROM " + workload.table() + ") TO STDOUT");
            while (out.readFromCopy() != null) {
                count++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        check(count == rows, "COPY read " + count + " rows, not " + rows);
        System.out.printf(Locale.ROOT, "REFERENCE copy rows=%d seconds=%.2f rows_per_s=%.0f%n", count, seconds,
                count / seconds);
    }

    /** pg_recvlogical (or, without it, a bare pgjdbc reader) reading the same backlog from its own slot. */
    private static void recvlogicalReference(EmbeddedServer server, Connection c, OrderLinesWorkload workload,
                                             long changes, long end) throws Exception {
        FloorReader reader = FloorReader.choose("auto");
        int protocol = BenchmarkBacklog.protocolVersion(BenchmarkBacklog.serverVersion(c));
        FloorReader.Timing t = reader.read(server, SLOT + "_recvlogical", workload.publication(), protocol, end);
        System.out.printf(Locale.ROOT, "REFERENCE %s changes=%d seconds=%.2f changes_per_s=%.0f%n",
                reader.name().replace(' ', '_'), changes, t.seconds(), changes / t.seconds());
    }

    private static boolean compare(EmbeddedServer server, Path duckdb, OrderLinesWorkload workload)
            throws Exception {
        long start = System.nanoTime();
        try (Connection pg = server.connect(); Connection duck = DriverManager.getConnection("jdbc:duckdb:" + duckdb)) {
            TableComparison t = TableComparison.compare(pg, duck, List.of(workload.table())).get(0);
            System.out.printf(Locale.ROOT, "  compared in %.1f s: %s%n", (System.nanoTime() - start) / 1e9, t);
            return t.equal();
        }
    }

    private static void dropSlots(Connection c) throws Exception {
        for (String slot : List.of(SLOT, SLOT + "_recvlogical", "e2e_warmup_slot", "e2e_warmup_slot_recvlogical")) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                if (ps.executeQuery().next()) {
                    BenchmarkBacklog.dropSlot(c, slot);
                }
            }
        }
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException("Benchmark result is not valid: " + message);
        }
    }
}
