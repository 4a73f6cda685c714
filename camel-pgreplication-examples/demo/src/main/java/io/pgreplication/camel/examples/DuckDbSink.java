package io.pgreplication.camel.examples;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * A Camel processor that applies {@code pgreplication:} batches to a DuckDB database file, one batch per DuckDB
 * transaction, so a failed batch leaves nothing behind and comes again from the slot.
 *
 * <ul>
 * <li>The first batch of a table creates it (PostgreSQL schema {@code public} becomes DuckDB's {@code main}, other
 * schemas keep their name), without a PRIMARY KEY (see {@link DuckDbTable}); a batch whose relation has columns the
 * target lacks adds them ({@code ALTER TABLE ... ADD COLUMN}). Columns are never dropped or retyped.</li>
 * <li>insert, update and snapshot rows are merged by key; an update that changed the key removes the old key; deletes
 * delete by key; a truncate empties the table. A batch is applied in bulk: reduced to each key's final state, written
 * through DuckDB's appender into a staging table, then merged with one DELETE and one INSERT (see
 * {@link DuckDbStage}).</li>
 * <li>Applying is idempotent, so batches redelivered after a failure or restart (at-least-once) do no harm.</li>
 * </ul>
 *
 * <p>Needs tables with a key: a primary key or a replica identity index. Batches are applied one at a time, in the
 * order they arrive (a synchronous route keeps the consumer's order). Every batch costs a DuckDB commit and a scan of
 * the target's key columns, so large batches ({@code batchSize=10000}) apply a backlog much faster than small ones; a
 * consumer that has caught up sends smaller batches at once, so latency does not suffer.
 */
public class DuckDbSink implements Processor, AutoCloseable {

    private String path;
    private Connection connection;
    /** The database (catalog) name: qualifies every table, so a schema named like the file is not ambiguous. */
    private String catalog;
    private final Map<String, DuckDbTable> tables = new HashMap<>();
    private final AtomicLong applied = new AtomicLong();

    /** For bean definitions (YAML {@code beans:}): set {@link #setPath(String)} before the first batch. */
    public DuckDbSink() {
    }

    public DuckDbSink(String path) {
        this.path = path;
    }

    public String getPath() {
        return path;
    }

    /** The DuckDB database file, created when missing. */
    public void setPath(String path) {
        this.path = path;
    }

    /** Changes applied so far. */
    public long applied() {
        return applied.get();
    }

    @Override
    public synchronized void process(Exchange exchange) throws Exception {
        List<?> events = exchange.getIn().getBody(List.class);
        RelationMetadata relation = exchange.getIn().getHeader(PgReplicationConstants.RELATION, RelationMetadata.class);
        if (events == null || events.isEmpty() || relation == null) {
            return;
        }
        Connection c = connection();
        try {
            DuckDbTable table = table(c, relation);
            DuckDbTable.Changes changes = table.changes(events.size());
            for (Object event : events) {
                changes.add((ChangeEvent) event);
            }
            changes.flush();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            forgetTables(); // the rollback may have undone a CREATE or ADD COLUMN: read the tables again
            throw e;
        }
        applied.addAndGet(events.size());
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            if (path == null || path.isBlank()) {
                throw new IllegalStateException("DuckDbSink needs a database file: set its path");
            }
            connection = DriverManager.getConnection("jdbc:duckdb:" + path);
            connection.setAutoCommit(false);
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery("SELECT current_database()")) {
                rs.next();
                catalog = rs.getString(1);
            }
        }
        return connection;
    }

    /** The target table of a relation, created or widened to the relation's columns. */
    private DuckDbTable table(Connection c, RelationMetadata relation) throws SQLException {
        DuckDbTable table = tables.get(relation.qualifiedName());
        if (table == null) {
            String schema = "public".equals(relation.schema()) ? "main" : relation.schema();
            table = new DuckDbTable(c, catalog, schema, relation.table(),
                    new LinkedHashSet<>(columns(c, schema, relation.table()).keySet()));
            tables.put(relation.qualifiedName(), table);
        }
        table.widen(relation);
        return table;
    }

    /**
     * A table's columns and their types, in order, from information_schema (which PostgreSQL and DuckDB both have) of
     * the connection's own database; empty when the table does not exist.
     */
    static Map<String, String> columns(Connection c, String schema, String table) throws SQLException {
        Map<String, String> columns = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
                                                       + " WHERE table_catalog = current_database()"
                                                       + " AND table_schema = ? AND table_name = ?"
                                                       + " ORDER BY ordinal_position")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return columns;
    }

    private void forgetTables() throws SQLException {
        for (DuckDbTable table : tables.values()) {
            table.close();
        }
        tables.clear();
    }

    @Override
    public synchronized void close() throws SQLException {
        forgetTables();
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
