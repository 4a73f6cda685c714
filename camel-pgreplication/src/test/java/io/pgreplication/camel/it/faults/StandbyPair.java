package io.pgreplication.camel.it.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.pgreplication.camel.it.TestDatabase;
import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A primary and a physical standby of it, made from the binaries of the test server (the embedded bundle has only
 * initdb, pg_ctl and postgres, so no pg_basebackup): initdb, a physical slot for the standby, a clean stop, a copy of
 * the data directory with an empty {@code pg_replslot/}, {@code standby.signal} and the replication settings in the
 * copy. With {@code failoverSlots} (PostgreSQL 17+) the standby synchronizes failover slots
 * ({@code sync_replication_slots}, {@code hot_standby_feedback}, {@code dbname} in {@code primary_conninfo}) and the
 * primary holds their changes back until the standby has the WAL ({@code synchronized_standby_slots}).
 */
final class StandbyPair implements AutoCloseable {

    private static final String STANDBY_SLOT = "standby1";

    private final Path bin;
    private final Path root;
    private final Node primary;
    private final Node standby;

    /** One server of the pair: its data directory and port, and a {@link TestDatabase} connected to it. */
    record Node(Path data, int port, TestDatabase db) {
    }

    private StandbyPair(Path bin, Path root, Node primary, Node standby) {
        this.bin = bin;
        this.root = root;
        this.primary = primary;
        this.standby = standby;
    }

    /** Builds and starts the pair under {@code target/}, with the binaries the test server {@code db} runs. */
    static StandbyPair start(TestDatabase db, String name, boolean failoverSlots) throws IOException,
            InterruptedException {
        Path bin = Path.of(db.queryString("SELECT setting FROM pg_config WHERE name = 'BINDIR'"));
        Path root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), name + "-");
        Node primary = node(root.resolve("primary"), freePort());
        Node standby = node(root.resolve("standby"), freePort());
        StandbyPair pair = new StandbyPair(bin, root, primary, standby);
        try {
            pair.build(failoverSlots);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    private static Node node(Path data, int port) {
        return new Node(data, port, TestDatabase.at("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres",
                null, "standby pair"));
    }

    private void build(boolean failoverSlots) throws IOException, InterruptedException {
        run("initdb", "-D", primary.data().toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
        append(primary.data().resolve("postgresql.conf"), "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = ''", "wal_level = logical", "max_wal_senders = 20",
                "max_replication_slots = 20", "max_connections = 60", "fsync = off", "shared_buffers = 16MB",
                "hot_standby = on", "log_min_messages = info");
        startServer(primary);
        primary.db().execute("SELECT pg_create_physical_replication_slot('" + STANDBY_SLOT + "', true)");
        stopServer(primary, "fast");
        copyDirectory(primary.data(), standby.data());
        try (Stream<Path> slots = Files.list(standby.data().resolve("pg_replslot"))) {
            for (Path slot : slots.toList()) {
                deleteRecursively(slot);
            }
        }
        Files.deleteIfExists(standby.data().resolve("postmaster.opts"));
        Files.createFile(standby.data().resolve("standby.signal"));
        List<String> settings = new ArrayList<>(List.of(
                "primary_conninfo = 'host=127.0.0.1 port=" + primary.port() + " user=postgres dbname=postgres"
                + " application_name=" + STANDBY_SLOT + "'",
                "primary_slot_name = '" + STANDBY_SLOT + "'", "hot_standby_feedback = on"));
        if (failoverSlots) {
            settings.add("sync_replication_slots = on");
        }
        append(standby.data().resolve("postgresql.conf"), settings.toArray(String[]::new));
        if (failoverSlots) {
            // Only on the primary: the copy must not wait for a standby of its own once promoted.
            append(primary.data().resolve("postgresql.conf"), "synchronized_standby_slots = '" + STANDBY_SLOT + "'");
        }
        startServer(primary);
        startServer(standby);
        Awaitility.await("the standby streams from the primary").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> "t".equals(primary.db().queryString(
                        "SELECT active FROM pg_replication_slots WHERE slot_name = '" + STANDBY_SLOT + "'")));
    }

    Node primary() {
        return primary;
    }

    Node standby() {
        return standby;
    }

    /** Both hosts, the standby first, as a JDBC URL without a target server type. */
    String jdbcUrlOfBoth() {
        return "jdbc:postgresql://127.0.0.1:" + standby.port() + ",127.0.0.1:" + primary.port() + "/postgres";
    }

    /** Connections to whichever of the two is the primary: what the writers use, before and after a failover. */
    TestDatabase primaryOfBoth() {
        return TestDatabase.at(jdbcUrlOfBoth() + "?targetServerType=primary&hostRecheckSeconds=1", "postgres", null,
                "primary of a standby pair");
    }

    /** Both hosts, the standby first, in libpq's URI form. */
    String libpqUrlOfBoth() {
        return "postgresql://postgres@127.0.0.1:" + standby.port() + ",127.0.0.1:" + primary.port() + "/postgres";
    }

    /**
     * Waits until the standby holds {@code slot} as a synchronized slot it can resume from after a promotion: synced
     * and no longer temporary, which it becomes only once the primary's slot moved past what the standby first copied.
     * The slot's restart position only moves at a running-transactions record, which the server writes every 15 s
     * while busy; the wait writes one now and then ({@code pg_log_standby_snapshot()}) so it does not take that long.
     */
    void awaitSyncReady(String slot) {
        Awaitility.await("slot " + slot + " synchronized to the standby and persistent").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    primary.db().execute("SELECT pg_log_standby_snapshot()");
                    return "t".equals(standby.db().queryString("SELECT synced AND NOT temporary FROM"
                                                               + " pg_replication_slots WHERE slot_name = '" + slot
                                                               + "'"));
                });
    }

    /** The primary crashes: {@code pg_ctl stop -m immediate}, no checkpoint, connections cut. */
    void killPrimary() throws IOException, InterruptedException {
        stopServer(primary, "immediate");
    }

    /** Promotes the standby and waits until it accepts writes. */
    void promoteStandby() throws IOException, InterruptedException {
        run("pg_ctl", "promote", "-D", standby.data().toString(), "-w", "-t", "60");
        Awaitility.await("the standby is promoted").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> "f".equals(standby.db().queryString("SELECT pg_is_in_recovery()")));
    }

    private void startServer(Node node) throws IOException, InterruptedException {
        run("pg_ctl", "start", "-D", node.data().toString(), "-o", "-p " + node.port(), "-w", "-t", "60", "-l",
                node.data().resolveSibling(node.data().getFileName() + ".log").toString());
    }

    private void stopServer(Node node, String mode) throws IOException, InterruptedException {
        run("pg_ctl", "stop", "-D", node.data().toString(), "-m", mode, "-w", "-t", "60");
    }

    /** Runs a binary of the bundle; as root inside a user namespace, where initdb, pg_ctl and postgres run. */
    private void run(String program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        Path log = root.resolve("commands.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(program + " finished").isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + " exit code, see " + log).isZero();
    }

    /** Stops both servers (whatever state they are in) and deletes their directories. */
    @Override
    public void close() {
        for (Node node : List.of(primary, standby)) {
            if (Files.exists(node.data().resolve("postmaster.pid"))) {
                try {
                    stopServer(node, "immediate");
                } catch (IOException | InterruptedException | AssertionError e) {
                    // stopped already, or never started
                }
            }
        }
        if (Boolean.getBoolean("standby.keep")) {
            return;
        }
        try {
            deleteRecursively(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void append(Path file, String... lines) throws IOException {
        Files.writeString(file, "\n" + String.join("\n", lines) + "\n", StandardOpenOption.APPEND);
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                    if (Files.getFileStore(target).supportsFileAttributeView("posix")) {
                        // PostgreSQL refuses a data directory others may read.
                        Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(source));
                    }
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
