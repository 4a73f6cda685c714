package io.pgreplication.camel.it.faults;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The route's durable sink: every delivered change's (id, seq) goes into a sink table of the same server, committed
 * (synchronous_commit on) before the exchange completes, so a batch the consumer may confirm is already durable. A
 * failed write fails the exchange: the batch is redelivered. Duplicates are allowed and counted by the check.
 */
public final class DurableSink implements Processor {

    private final String url;
    private final String user;
    private final String password;
    private final String table;
    private final String consumer;
    private Connection connection;

    public DurableSink(String url, String user, String password, String table, String consumer) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.table = table;
        this.consumer = consumer;
    }

    @Override
    public synchronized void process(Exchange exchange) throws Exception {
        List<?> events = exchange.getMessage().getBody(List.class);
        try {
            if (connection == null) {
                connection = open();
            }
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO " + table + " (id, seq, consumer) VALUES (?, ?, ?)")) {
                for (Object o : events) {
                    Map<String, Object> after = ((ChangeEvent) o).getAfter();
                    if (after == null) {
                        continue;
                    }
                    ps.setInt(1, ((Number) after.get("id")).intValue());
                    ps.setInt(2, ((Number) after.get("seq")).intValue());
                    ps.setString(3, consumer);
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
