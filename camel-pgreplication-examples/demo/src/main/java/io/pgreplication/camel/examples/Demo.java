package io.pgreplication.camel.examples;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.lsn.Lsn;

/**
 * The quick-start demo, PostgreSQL to DuckDB: an embedded PostgreSQL (or the server in {@code PGREPLICATION_URL}), three
 * sample tables with data, a route that snapshots them and then streams every change into a DuckDB file through
 * {@link DuckDbSink}, while a writer thread inserts, updates, changes keys, deletes and adds a column. At the end it
 * waits until the slot has confirmed everything written, compares DuckDB with PostgreSQL table by table and exits
 * non-zero on a difference.
 *
 * <p>Run it with {@code mvn -B -q -Pdemo package -DskipTests} from the repository root. Settings (system properties):
 * {@code demo.rows} (customers loaded; two orders each, two lines per order), {@code demo.seconds} (how long the writer
 * runs), {@code demo.rate} (writer transactions per second), {@code demo.duckdb} (the DuckDB file),
 * {@code demo.snapshot} ({@code false}: stream the initial rows instead of snapshotting them), {@code demo.dsl}
 * ({@code java}, or {@code yaml} for the route in {@code routes/pg-to-duckdb.camel.yaml} run by camel-main).
 */
public final class Demo {

    static final String SLOT = "demo_slot";
    static final String PUBLICATION = "demo_pub";

    /**
     * @param rows     customers loaded before replication starts
     * @param seconds  how long the writer changes the tables
     * @param rate     writer transactions per second
     * @param duckdb   the DuckDB file (replaced)
     * @param snapshot snapshot the loaded rows ({@code snapshotMode=initial}); false streams them as inserts
     * @param yaml     run the YAML DSL route with camel-main instead of the Java route
     */
    public record Settings(int rows, int seconds, int rate, Path duckdb, boolean snapshot, boolean yaml) {

        public static Settings fromSystemProperties() {
            return new Settings(Integer.getInteger("demo.rows", 2_000), Integer.getInteger("demo.seconds", 10),
                    Integer.getInteger("demo.rate", 200),
                    Path.of(System.getProperty("demo.duckdb", "target/pgreplication-demo.duckdb")).toAbsolutePath(),
                    !"false".equals(System.getProperty("demo.snapshot")),
                    "yaml".equalsIgnoreCase(System.getProperty("demo.dsl", "java")));
        }
    }

    /** What the run did and found: changes applied, writer transactions, and each table compared. */
    public record Result(long changesApplied, long writerTransactions, List<TableComparison> tables) {
        public boolean equal() {
            return tables.stream().allMatch(TableComparison::equal);
        }
    }

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromSystemProperties();
        Result result;
        try (EmbeddedServer server = EmbeddedServer.start(Map.of())) {
            result = run(server, settings, System.out);
        }
        System.exit(result.equal() ? 0 : 1);
    }

    /** Runs the whole demo against {@code server}, printing progress to {@code out}. */
    public static Result run(EmbeddedServer server, Settings settings, PrintStream out) throws Exception {
        out.printf("PostgreSQL: %s (%s)%n", server.isEmbedded() ? "embedded" : "PGREPLICATION_URL",
                server.host() + ":" + server.port() + "/" + server.database());
        Files.deleteIfExists(settings.duckdb());
        Files.deleteIfExists(Path.of(settings.duckdb() + ".wal"));
        Files.createDirectories(settings.duckdb().getParent());
        try (Connection c = server.connect()) {
            DemoData.create(c);
            if (settings.snapshot()) {
                DemoData.load(c, settings.rows());
            }
        }
        // Loads DuckDB's native library (extracted on first use) before the clock starts.
        DriverManager.getConnection("jdbc:duckdb:").close();
        DemoPipeline pipeline = settings.yaml() ? DemoPipeline.yaml(server, settings) : DemoPipeline.java(server, settings);
        DemoData.Writer writer = new DemoData.Writer(server, settings.rows(), settings.rate(), settings.seconds() * 500L);
        try (Connection c = server.connect()) {
            out.printf("Replicating %s into %s (%s route, %s)%n", String.join(", ", DemoData.TABLES),
                    settings.duckdb(), settings.yaml() ? "YAML" : "Java",
                    settings.snapshot() ? "snapshot of " + settings.rows() + " customers first" : "no snapshot");
            pipeline.start();
            if (!settings.snapshot()) {
                DemoData.load(c, settings.rows());
            }
            Thread thread = new Thread(writer, "demo-writer");
            thread.start();
            Progress progress = new Progress(c, pipeline.sink(), out);
            progress.every(settings.seconds() * 1000L);
            writer.stop();
            thread.join();
            if (writer.failure() != null) {
                throw writer.failure();
            }
            long end = SlotPosition.currentLsn(c);
            out.printf("Writer stopped after %,d transactions; waiting until the slot confirms %s%n",
                    writer.transactions(), Lsn.format(end));
            if (!progress.until(() -> SlotPosition.confirmedFlush(c, SLOT) >= end, 60_000)) {
                out.println("The slot did not confirm everything within a minute; comparing anyway");
            }
        } finally {
            writer.stop(); // also when something above failed: the writer thread must not outlive the demo
            pipeline.close();
        }
        long applied = pipeline.sink().applied();
        List<TableComparison> tables;
        try (Connection pg = server.connect();
                Connection duck = DriverManager.getConnection("jdbc:duckdb:" + settings.duckdb())) {
            tables = TableComparison.compare(pg, duck, DemoData.TABLES);
        }
        Result result = new Result(applied, writer.transactions(), tables);
        out.printf("%nApplied %,d changes. DuckDB %s PostgreSQL:%n", applied, result.equal() ? "equals" : "DIFFERS FROM");
        tables.forEach(t -> out.println("  " + t));
        out.printf("%nThe DuckDB file: %s%nOpen it with the DuckDB CLI: duckdb %s -c \"SELECT * FROM demo.orders LIMIT 5\"%n",
                settings.duckdb(), settings.duckdb());
        return result;
    }

    /** A progress line about once a second: changes applied per second and the slot's lag behind the server. */
    private static final class Progress {
        private final Connection connection;
        private final DuckDbSink sink;
        private final PrintStream out;
        private final long start = System.nanoTime();
        private long lastApplied;
        private long lastTime = start;

        Progress(Connection connection, DuckDbSink sink, PrintStream out) {
            this.connection = connection;
            this.sink = sink;
            this.out = out;
        }

        void every(long millis) throws Exception {
            until(() -> false, millis);
        }

        /** Prints a line a second until {@code done} or {@code millis} pass; true when done. */
        boolean until(Check done, long millis) throws Exception {
            long deadline = System.currentTimeMillis() + millis;
            long nextLine = System.currentTimeMillis() + 1000;
            while (System.currentTimeMillis() < deadline) {
                if (done.ok()) {
                    line();
                    return true;
                }
                if (System.currentTimeMillis() >= nextLine) {
                    line();
                    nextLine += 1000;
                }
                Thread.sleep(50);
            }
            return done.ok();
        }

        private void line() throws SQLException {
            long applied = sink.applied();
            long lag;
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                    + " FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, SLOT);
                try (ResultSet rs = ps.executeQuery()) {
                    lag = rs.next() ? rs.getLong(1) : -1;
                }
            }
            long now = System.nanoTime();
            // No slot yet while the initial snapshot runs: it is created at the snapshot's end.
            out.printf("[%5.1fs] %,7.0f changes/s   lag %16s   applied %,9d%n", (now - start) / 1e9,
                    (applied - lastApplied) * 1e9 / Math.max(1, now - lastTime),
                    lag < 0 ? "(snapshot)" : String.format("%,d bytes", lag), applied);
            lastApplied = applied;
            lastTime = now;
        }
    }

    @FunctionalInterface
    interface Check {
        boolean ok() throws Exception;
    }
}
