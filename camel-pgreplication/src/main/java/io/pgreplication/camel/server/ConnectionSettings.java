package io.pgreplication.camel.server;

import java.net.URI;
import java.net.URLDecoder;
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
 * libpq form ({@code postgresql://user:pass@host:5432/db?sslmode=require&connect_timeout=300}), plus explicit
 * {@code user}/{@code password}, which win over the URL's. {@link #toString()} never shows the password.
 */
public final class ConnectionSettings {

    /** libpq parameter names that pgjdbc spells differently. */
    private static final Map<String, String> LIBPQ_TO_JDBC = Map.of(
            "connect_timeout", "connectTimeout",
            "application_name", "ApplicationName",
            "target_session_attrs", "targetServerType");

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
            return fromLibpq(trimmed, user, password);
        }
        throw new IllegalArgumentException("Invalid option url: expected jdbc:postgresql://host:5432/db or"
                                           + " postgresql://[user[:password]@]host[:port]/db[?param=value], got a URL"
                                           + " starting with '" + trimmed.substring(0, Math.min(12, trimmed.length()))
                                           + "'");
    }

    private static ConnectionSettings fromJdbc(String url, String user, String password) {
        Properties parsed = org.postgresql.Driver.parseURL(url, new Properties());
        if (parsed == null) {
            throw new IllegalArgumentException("Invalid option url: pgjdbc cannot parse it; expected"
                                               + " jdbc:postgresql://host:5432/db");
        }
        String u = user != null ? user : PGProperty.USER.getOrDefault(parsed);
        String p = password != null ? password : PGProperty.PASSWORD.getOrDefault(parsed);
        String display = parsed.getProperty("PGHOST", "localhost") + ":" + parsed.getProperty("PGPORT", "5432") + "/"
                         + parsed.getProperty("PGDBNAME", "");
        return new ConnectionSettings(withoutCredentials(url), u, p, display);
    }

    private static ConnectionSettings fromLibpq(String url, String user, String password) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            // Never echo the URL: it may hold a password.
            throw new IllegalArgumentException("Invalid option url: not a valid postgresql:// URI (special characters"
                                               + " in user or password must be percent-encoded)");
        }
        String host = uri.getHost() == null ? "localhost" : uri.getHost();
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "" : decode(uri.getRawPath().substring(1));
        String u = user;
        String p = password;
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            String urlUser = decode(colon < 0 ? info : info.substring(0, colon));
            String urlPassword = colon < 0 ? null : decode(info.substring(colon + 1));
            u = u != null ? u : urlUser;
            p = p != null ? p : urlPassword;
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                switch (key) {
                    case "user" -> u = u != null ? u : value;
                    case "password" -> p = p != null ? p : value;
                    case "dbname" -> db = value;
                    default -> params.put(LIBPQ_TO_JDBC.getOrDefault(key, key), value);
                }
            }
        }
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(hostPart).append(':').append(port)
                .append('/').append(encode(db));
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            jdbc.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            sep = '&';
        }
        return new ConnectionSettings(jdbc.toString(), u, p, host + ":" + port + "/" + db);
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

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
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
        Properties props = baseProperties(applicationName);
        PGProperty.REPLICATION.set(props, "database");
        // Without assumeMinServerVersion >= 9.4 pgjdbc leaves "replication" out of the startup packet.
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        return connect(props);
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

    /** host:port/database, safe to log. */
    @Override
    public String toString() {
        return display;
    }
}
