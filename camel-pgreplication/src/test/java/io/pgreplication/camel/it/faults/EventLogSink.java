package io.pgreplication.camel.it.faults;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.it.TestDatabase;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The durable sink of a backfilled table {@code (id, version, payload)}: every delivered event goes into a log table of
 * the same server in delivery order, committed before the exchange completes, with the backfill attempt of snapshot
 * rows ({@code <id>@<consistent point>}). {@link #replay} applies the log in order, as docs/user-guide.md tells a sink
 * to apply a backfill (a new attempt replaces the table), so the test can compare the result with the source.
 */
public final class EventLogSink implements Processor {

    private final String url;
    private final String user;
    private final String password;
    private final String log;
    private Connection connection;

    public EventLogSink(String url, String user, String password, String log) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.log = log;
    }

    public static void createLog(TestDatabase db, String log) {
        db.execute("CREATE TABLE " + log + " (n bigserial PRIMARY KEY, op text NOT NULL, key_id int, id int,"
                   + " version int, payload text, attempt text)");
    }

    @Override
    public synchronized void process(Exchange exchange) throws Exception {
        List<?> events = exchange.getMessage().getBody(List.class);
        String backfill = exchange.getMessage().getHeader(PgReplicationConstants.BACKFILL, String.class);
        String attempt = backfill == null ? null
                : backfill + "@" + exchange.getMessage().getHeader(PgReplicationConstants.LSN, String.class);
        try {
            if (connection == null) {
                connection = open();
            }
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + log
                                                                    + " (op, key_id, id, version, payload, attempt)"
                                                                    + " VALUES (?, ?, ?, ?, ?, ?)")) {
                for (Object o : events) {
                    ChangeEvent e = (ChangeEvent) o;
                    Map<String, Object> after = e.getAfter();
                    ps.setString(1, e.getOp());
                    ps.setObject(2, e.getKey().get("id"));
                    ps.setObject(3, after == null ? null : after.get("id"));
                    ps.setObject(4, after == null ? null : after.get("version"));
                    ps.setObject(5, after == null ? null : after.get("payload"));
                    ps.setString(6, attempt);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            connection.commit();
        } catch (SQLException e) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // reopened on the next batch
            }
            connection = null;
            throw e;
        }
    }

    /** The table as the log rebuilds it: id to {@code version|payload}. */
    public static Map<Integer, String> replay(TestDatabase db, String log) throws SQLException {
        Map<Integer, String> rows = new HashMap<>();
        String attempt = null;
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT op, key_id, id, version, payload, attempt FROM " + log
                                            + " ORDER BY n")) {
            while (rs.next()) {
                String op = rs.getString(1);
                if (rs.getString(6) != null && !rs.getString(6).equals(attempt)) {
                    attempt = rs.getString(6);
                    rows.clear(); // a new backfill attempt: its rows replace the table
                }
                int key = rs.getInt(2);
                switch (op) {
                    case "snapshot", "insert" -> rows.put(rs.getInt(3), rs.getInt(4) + "|" + rs.getString(5));
                    case "update" -> {
                        rows.remove(key);
                        rows.put(rs.getInt(3), rs.getInt(4) + "|" + rs.getString(5));
                    }
                    case "delete" -> rows.remove(key);
                    default -> throw new IllegalStateException("unexpected op " + op);
                }
            }
        }
        return rows;
    }

    /** The source table in the form of {@link #replay}. */
    public static Map<Integer, String> source(TestDatabase db, String table) throws SQLException {
        Map<Integer, String> rows = new HashMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, version, payload FROM " + table)) {
            while (rs.next()) {
                rows.put(rs.getInt(1), rs.getInt(2) + "|" + rs.getString(3));
            }
        }
        return rows;
    }

    /** How many backfill attempts of request {@code id} the log holds rows of. */
    public static int attempts(TestDatabase db, String log, String id) {
        return Integer.parseInt(db.queryString("SELECT count(DISTINCT attempt) FROM " + log + " WHERE attempt LIKE '"
                                               + id + "@%'"));
    }

    private Connection open() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("socketTimeout", "30");
        Connection c = DriverManager.getConnection(url, props);
        try (Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = on");
        }
        c.setAutoCommit(false);
        return c;
    }
}
