package io.pgreplication.camel.server;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.postgresql.PGProperty;

/**
 * Where and how to connect, from the {@code url} option in JDBC form ({@code jdbc:postgresql://host:5432/db?...}) or
 * one of libpq's ({@code postgresql://user:pass@host:5432/db?sslmode=require&connect_timeout=300}, or
 * {@code host=h1,h2 dbname=db ...}), plus explicit {@code user}/{@code password}, which win over the URL's. Several
 * hosts mean "the primary among them" unless the URL says otherwise ({@code targetServerType},
 * {@code target_session_attrs}). {@link #toString()} never shows the password.
 */
public final class ConnectionSettings {

    /** libpq parameter names that pgjdbc spells differently (target_session_attrs also differs in its values). */
    private static final Map<String, String> LIBPQ_TO_JDBC = Map.of(
            "connect_timeout", "connectTimeout",
            "application_name", "ApplicationName");

    /**
     * The session settings every connection runs with, so that values are what docs/types.md promises wherever the
     * consumer runs: the text forms the decoders read and the text forms delivered as they are (ranges, geometric
     * types, money, reg* types...). Set with SQL once connected, because startup parameters cannot do it: pgjdbc sends
     * the JVM's time zone as the TimeZone startup parameter, and the server applies that after the options parameter.
     * A role's or database's defaults apply before either, so they never win.
     */
    private static final String VALUE_SETTINGS = "SELECT pg_catalog.set_config('TimeZone', 'UTC', false),"
                                                 + " pg_catalog.set_config('DateStyle', 'ISO', false),"
                                                 + " pg_catalog.set_config('IntervalStyle', 'iso_8601', false),"
                                                 + " pg_catalog.set_config('extra_float_digits', '3', false),"
                                                 + " pg_catalog.set_config('bytea_output', 'hex', false),"
                                                 + " pg_catalog.set_config('lc_monetary', 'C', false),"
                                                 + " pg_catalog.set_config('search_path', '', false),"
                                                 + " pg_catalog.set_config('quote_all_identifiers', 'off', false)";

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String display;

    private ConnectionSettings(String jdbcUrl, String user, String password, String display) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.display = display;
    }

    public static ConnectionSettings of(String url, String user, String password) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("Option url is required: jdbc:postgresql://host:5432/db or"
                                               + " postgresql://host:5432/db (set it on the endpoint or once as"
                                               + " camel.component.pgreplication.url)");
        }
        String trimmed = url.trim();
        if (trimmed.startsWith("jdbc:postgresql:")) {
            return fromJdbc(trimmed, user, password);
        }
        if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
            return fromLibpq(LibpqUrl.parseUri(trimmed), user, password);
        }
        if (LibpqUrl.isKeywordValue(trimmed)) {
            return fromLibpq(LibpqUrl.parseKeywordValue(trimmed), user, password);
        }
        throw new IllegalArgumentException("Invalid option url: expected jdbc:postgresql://host:5432/db,"
                                           + " postgresql://[user[:password]@]host[:port]/db[?param=value] or"
                                           + " host=... dbname=..., got a URL starting with '"
                                           + trimmed.substring(0, Math.min(12, trimmed.length())) + "'");
    }

    /**
     * The JDBC form as it is, credentials taken out; with several hosts and no {@code targetServerType},
     * {@code targetServerType=primary}, so that a standby is never used and the primary is found after a failover.
     */
    private static ConnectionSettings fromJdbc(String url, String user, String password) {
        Properties parsed = org.postgresql.Driver.parseURL(url, new Properties());
        if (parsed == null) {
            throw new IllegalArgumentException("Invalid option url: pgjdbc cannot parse it; expected"
                                               + " jdbc:postgresql://host:5432/db");
        }
        String u = user != null ? user : PGProperty.USER.getOrDefault(parsed);
        String p = password != null ? password : PGProperty.PASSWORD.getOrDefault(parsed);
        String[] hosts = parsed.getProperty("PGHOST", "localhost").split(",");
        String[] ports = parsed.getProperty("PGPORT", "5432").split(",");
        StringBuilder display = new StringBuilder();
        for (int i = 0; i < hosts.length; i++) {
            display.append(i == 0 ? "" : ",").append(hosts[i]).append(':').append(i < ports.length ? ports[i] : "5432");
        }
        display.append('/').append(parsed.getProperty("PGDBNAME", ""));
        String jdbc = withoutCredentials(url);
        if (hosts.length > 1 && parsed.getProperty(PGProperty.TARGET_SERVER_TYPE.getName()) == null) {
            jdbc += (jdbc.contains("?") ? "&" : "?") + "targetServerType=primary";
        }
        return new ConnectionSettings(jdbc, u, p, display.toString());
    }

    /** A libpq URI or keyword/value string as the JDBC URL pgjdbc reads; explicit user and password win. */
    private static ConnectionSettings fromLibpq(LibpqUrl url, String user, String password) {
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://");
        StringBuilder display = new StringBuilder();
        for (int i = 0; i < url.hosts().size(); i++) {
            String host = url.hosts().get(i);
            String hostPart = host.contains(":") ? "[" + host + "]" : host;
            String sep = i == 0 ? "" : ",";
            jdbc.append(sep).append(hostPart).append(':').append(url.ports().get(i));
            display.append(sep).append(host).append(':').append(url.ports().get(i));
        }
        jdbc.append('/').append(encode(url.database()));
        display.append('/').append(url.database());
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : url.params().entrySet()) {
            if (e.getKey().equals("target_session_attrs")) {
                params.put("targetServerType", LibpqUrl.targetServerType(e.getValue()));
            } else {
                params.put(LIBPQ_TO_JDBC.getOrDefault(e.getKey(), e.getKey()), e.getValue());
            }
        }
        if (url.hosts().size() > 1) {
            params.putIfAbsent("targetServerType", "primary");
        }
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            jdbc.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            sep = '&';
        }
        return new ConnectionSettings(jdbc.toString(), user != null ? user : url.user(),
                password != null ? password : url.password(), display.toString());
    }

    /**
     * pgjdbc lets URL parameters override connection properties, so user and password are taken out of the URL: the
     * explicit options must win, and the URL kept in memory then holds no secret.
     */
    private static String withoutCredentials(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        StringBuilder out = new StringBuilder(url.substring(0, q));
        char sep = '?';
        for (String pair : url.substring(q + 1).split("&")) {
            String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (pair.isEmpty() || key.equals("user") || key.equals("password")) {
                continue;
            }
            out.append(sep).append(pair);
            sep = '&';
        }
        return out.toString();
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A regular (SQL) connection, for setup, catalog look-ups and a snapshot's COPY. */
    public Connection openRegular(String applicationName) throws SQLException {
        Properties props = baseProperties(applicationName);
        return connect(props);
    }

    /**
     * A regular connection whose connect, login and every read give up after {@code timeout} (whole seconds, at
     * least one): for checks that must answer even when the network towards the server is broken.
     */
    public Connection openRegular(String applicationName, Duration timeout) throws SQLException {
        int timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
        Properties props = baseProperties(applicationName);
        PGProperty.CONNECT_TIMEOUT.set(props, timeoutSeconds);
        PGProperty.LOGIN_TIMEOUT.set(props, timeoutSeconds);
        PGProperty.SOCKET_TIMEOUT.set(props, timeoutSeconds);
        return connect(props);
    }

    /** A logical replication connection ({@code replication=database}). */
    public Connection openReplication(String applicationName) throws SQLException {
        return connect(replicationProperties(applicationName));
    }

    /**
     * A replication connection whose every read gives up after {@code timeout} (whole seconds, at least one): for a
     * command that may wait on another process, such as altering a slot that process streams.
     */
    public Connection openReplication(String applicationName, Duration timeout) throws SQLException {
        Properties props = replicationProperties(applicationName);
        PGProperty.SOCKET_TIMEOUT.set(props, (int) Math.max(1, timeout.toSeconds()));
        return connect(props);
    }

    private Properties replicationProperties(String applicationName) {
        Properties props = baseProperties(applicationName);
        PGProperty.REPLICATION.set(props, "database");
        // Without assumeMinServerVersion >= 9.4 pgjdbc leaves "replication" out of the startup packet.
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        return props;
    }

    private Connection connect(Properties props) throws SQLException {
        Connection connection;
        try {
            connection = DriverManager.getConnection(jdbcUrl, props);
        } catch (SQLException e) {
            if (Errors.isCertificateProblem(e)) {
                throw new PgReplicationSetupException("TLS to " + display + " failed: the server's certificate did"
                                                      + " not verify (" + e.getMessage() + "). With sslmode=verify-ca"
                                                      + " or verify-full, give the CA that signed it in the url"
                                                      + " (sslrootcert=/path/to/root.crt) and connect by the host name"
                                                      + " the certificate names; sslmode=require encrypts without"
                                                      + " verifying", e);
            }
            throw e;
        }
        try (Statement st = connection.createStatement()) {
            st.execute(VALUE_SETTINGS);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    private Properties baseProperties(String applicationName) {
        Properties props = new Properties();
        if (user != null) {
            PGProperty.USER.set(props, user);
        }
        if (password != null) {
            PGProperty.PASSWORD.set(props, password);
        }
        PGProperty.APPLICATION_NAME.set(props, applicationName);
        PGProperty.TCP_KEEP_ALIVE.set(props, true);
        return props;
    }

    public String user() {
        return user;
    }

    /** The JDBC URL connections use, without credentials. */
    String jdbcUrl() {
        return jdbcUrl;
    }

    /** host:port/database (every host of a multi-host URL), safe to log. */
    @Override
    public String toString() {
        return display;
    }
}
