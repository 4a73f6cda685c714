package io.pgreplication.camel.examples;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.Driver;
import org.postgresql.PGProperty;

/**
 * A PostgreSQL server for the examples and benchmarks: the one named by {@code PGREPLICATION_URL} (system property or
 * environment variable; a JDBC URL with {@code user} and {@code password} parameters), otherwise embedded binaries
 * started with {@code wal_level=logical} plus the given settings. Closing stops the embedded server only.
 */
public final class EmbeddedServer implements AutoCloseable {

    /** Settings the throughput benchmark runs with (docs/benchmarks.md): no fsync, fixed decoding memory. */
    public static final Map<String, String> BENCHMARK_SETTINGS = Map.of(
            "max_wal_senders", "20",
            "max_replication_slots", "20",
            "fsync", "off",
            "synchronous_commit", "off",
            "logical_decoding_work_mem", "64MB",
            "shared_buffers", "256MB",
            // Keeps the backlog in pg_wal until every slot has read it, without checkpoints mid-load.
            "max_wal_size", "4GB");

    private final EmbeddedPostgres embedded;
    private final String jdbcUrl;
    private final Properties parsed;

    private EmbeddedServer(EmbeddedPostgres embedded, String jdbcUrl) {
        this.embedded = embedded;
        this.jdbcUrl = jdbcUrl;
        this.parsed = Driver.parseURL(jdbcUrl, new Properties());
        if (parsed == null) {
            throw new IllegalArgumentException("PGREPLICATION_URL is not a jdbc:postgresql:// URL: " + jdbcUrl);
        }
    }

    /** The server named by PGREPLICATION_URL, or a freshly started embedded one with {@code settings}. */
    public static EmbeddedServer start(Map<String, String> settings) throws IOException {
        String external = System.getProperty("PGREPLICATION_URL");
        if (external == null || external.isBlank()) {
            external = System.getenv("PGREPLICATION_URL");
        }
        if (external != null && !external.isBlank()) {
            return new EmbeddedServer(null, external);
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical");
        settings.forEach(builder::setServerConfig);
        EmbeddedPostgres pg = builder.start();
        return new EmbeddedServer(pg, pg.getJdbcUrl("postgres", "postgres"));
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return parsed.getProperty("user", "postgres");
    }

    /** The password, or null (the embedded server trusts local connections). */
    public String password() {
        return parsed.getProperty("password");
    }

    public String host() {
        // parseURL lists every host of a multi-host URL; a benchmark talks to the first.
        return parsed.getProperty("PGHOST", "localhost").split(",")[0];
    }

    public String port() {
        return parsed.getProperty("PGPORT", "5432").split(",")[0];
    }

    public String database() {
        return parsed.getProperty("PGDBNAME", "postgres");
    }

    /** A libpq connection string for command-line clients; the password travels in PGPASSWORD, not here. */
    public String libpqConnection() {
        return "host=" + host() + " port=" + port() + " user=" + user() + " dbname=" + database();
    }

    /** Endpoint options that connect a {@code pgreplication:} consumer to this server. */
    public String endpointOptions() {
        return "url=RAW(" + jdbcUrl + ")&user=" + user() + (password() == null ? "" : "&password=RAW(" + password() + ")");
    }

    public Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user());
        if (password() != null) {
            p.setProperty("password", password());
        }
        return DriverManager.getConnection(jdbcUrl, p);
    }

    /**
     * A logical replication connection ({@code replication=database}) as the benchmarks' bare readers use it;
     * {@code pgOptions} (server settings such as {@code -c TimeZone=UTC}) may be null.
     */
    public Connection connectReplication(String pgOptions) throws SQLException {
        Properties p = new Properties();
        PGProperty.USER.set(p, user());
        if (password() != null) {
            PGProperty.PASSWORD.set(p, password());
        }
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        // Without assumeMinServerVersion >= 9.4 pgjdbc leaves "replication" out of the startup packet.
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        if (pgOptions != null) {
            PGProperty.OPTIONS.set(p, pgOptions);
        }
        return DriverManager.getConnection(jdbcUrl, p);
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
