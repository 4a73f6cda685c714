package io.pgreplication.camel.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.pgreplication.camel.event.ColumnMetadata;
import io.pgreplication.camel.event.RelationMetadata;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import static io.pgreplication.camel.table.Identifiers.quote;

/**
 * The staging table of one {@link DuckDbTable}: a temporary table with the relation's columns and a deleted flag,
 * filled through DuckDB's appender and merged into the target with two set-based statements per batch. Row-at-a-time
 * or multi-row {@code INSERT ... VALUES} statements cost DuckDB milliseconds each (parsing, binding every parameter
 * through JDBC); the appender writes the values straight into DuckDB's column vectors.
 *
 * <p>A batch arrives here reduced to each touched key's final state (a row, or gone). {@link #merge} empties the stage,
 * appends every final state, deletes every touched key from the target ({@code DELETE ... USING} the stage) and inserts
 * the surviving rows ({@code INSERT ... SELECT}). Applying the same final states twice gives the same table, which is
 * what redelivered batches need.
 */
final class DuckDbStage implements AutoCloseable {

    /** The flag column: true for a key whose final state is "gone". */
    static final String DELETED = "_pgreplication_deleted";

    private final Connection connection;
    private final String stageTable;
    private final List<String> columns;
    private final List<DuckDbTypes.StageColumn> types;
    /** Per column: its position in the key, or -1. */
    private final int[] keyIndex;
    private final String deleteSql;
    private final String insertSql;
    private final String fallbackSql;
    private PreparedStatement fallback;

    private DuckDbStage(Connection connection, String stageTable, List<String> columns,
            List<DuckDbTypes.StageColumn> types, int[] keyIndex, String deleteSql, String insertSql,
            String fallbackSql) {
        this.connection = connection;
        this.stageTable = stageTable;
        this.columns = columns;
        this.types = types;
        this.keyIndex = keyIndex;
        this.deleteSql = deleteSql;
        this.insertSql = insertSql;
        this.fallbackSql = fallbackSql;
    }

    /**
     * (Re)creates the staging table {@code temp.main.<stageName>} for the relation's current columns and key, merging
     * into {@code target} (quoted, qualified).
     */
    static DuckDbStage create(Connection connection, String target, String stageName, RelationMetadata relation,
            List<String> key) throws SQLException {
        List<String> columns = relation.columns().stream().map(ColumnMetadata::name).toList();
        if (columns.contains(DELETED)) {
            throw new IllegalStateException("DuckDbSink uses the column name " + DELETED + " for itself: rename the"
                                            + " column of " + relation.qualifiedName());
        }
        List<DuckDbTypes.StageColumn> types = relation.columns().stream().map(DuckDbTypes::stageColumn).toList();
        int[] keyIndex = new int[columns.size()];
        for (int i = 0; i < keyIndex.length; i++) {
            keyIndex[i] = key.indexOf(columns.get(i));
        }
        String stage = "temp.main." + quote(stageName);
        try (Statement st = connection.createStatement()) {
            List<String> definitions = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                definitions.add(quote(columns.get(i)) + " " + types.get(i).duckDbType());
            }
            definitions.add(quote(DELETED) + " BOOLEAN");
            st.execute("CREATE OR REPLACE TEMP TABLE " + quote(stageName) + " (" + String.join(", ", definitions)
                       + ")");
        }
        String names = quoted(columns);
        String deleteSql = "DELETE FROM " + target + " USING " + stage + " s WHERE " + key.stream()
                .map(k -> target + "." + quote(k) + " = s." + quote(k)).collect(Collectors.joining(" AND "));
        // Staged values are cast to the target's column types here (text forms become JSON, TIME, DECIMAL...).
        String insertSql = "INSERT INTO " + target + " (" + names + ") SELECT " + names + " FROM " + stage
                           + " WHERE NOT " + quote(DELETED);
        String fallbackSql = "INSERT INTO " + stage + " (" + names + ", " + quote(DELETED) + ") VALUES ("
                             + "?, ".repeat(columns.size()) + "?)";
        return new DuckDbStage(connection, stageName, columns, types, keyIndex, deleteSql, insertSql, fallbackSql);
    }

    /**
     * Applies a batch: {@code rows} (inserted, no key twice) and {@code finalStates} ({@code null} for a key that is
     * gone, else the row; keys in key-column order), which share no key.
     */
    void merge(List<Map<String, Object>> rows, Map<List<Object>, Map<String, Object>> finalStates)
            throws SQLException {
        try (Statement st = connection.createStatement()) {
            // Also opens the DuckDB transaction: the appender joins an open transaction and commits on its own
            // otherwise, which would escape the batch's rollback.
            st.execute("DELETE FROM temp.main." + quote(stageTable));
        }
        boolean anyRow = !rows.isEmpty();
        // An appender per batch: an appender belongs to the thread that made it, and batches may come on any thread.
        try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class).createAppender("temp", "main",
                stageTable)) {
            Object[] values = new Object[columns.size()];
            for (Map<String, Object> row : rows) {
                stage(appender, row, values);
            }
            for (Map.Entry<List<Object>, Map<String, Object>> state : finalStates.entrySet()) {
                if (state.getValue() != null) {
                    anyRow = true;
                    stage(appender, state.getValue(), values);
                } else {
                    stageDeleted(appender, state.getKey(), values);
                }
            }
            appender.flush();
        }
        try (Statement st = connection.createStatement()) {
            st.execute(deleteSql);
            if (anyRow) {
                st.execute(insertSql);
            }
        }
    }

    /** One row into the stage. */
    private void stage(DuckDBAppender appender, Map<String, Object> row, Object[] values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(columns.get(i));
        }
        append(appender, values, false);
    }

    /** A key that is gone into the stage: its key columns, the rest null. */
    private void stageDeleted(DuckDBAppender appender, List<Object> key, Object[] values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            values[i] = keyIndex[i] < 0 ? null : key.get(keyIndex[i]);
        }
        append(appender, values, true);
    }

    /** Appends {@code values} if the appender takes every one of them as it is; otherwise inserts them as text. */
    private void append(DuckDBAppender appender, Object[] values, boolean deleted) throws SQLException {
        boolean fits = true;
        for (int i = 0; i < values.length; i++) {
            fits &= types.get(i).accepts(values[i]);
        }
        if (!fits) {
            insertOne(values, deleted);
            return;
        }
        appender.beginRow();
        for (int i = 0; i < values.length; i++) {
            types.get(i).append(appender, values[i]);
        }
        appender.append(deleted).endRow();
    }

    /**
     * A row with a value the appender cannot take as it is (a date {@code infinity}): one INSERT with the values bound
     * as before the appender, for DuckDB to cast (a numeric {@code NaN} still fails there: DECIMAL cannot hold it).
     */
    private void insertOne(Object[] values, boolean deleted) throws SQLException {
        if (fallback == null) {
            fallback = connection.prepareStatement(fallbackSql);
        }
        for (int i = 0; i < values.length; i++) {
            DuckDbTypes.bind(fallback, i + 1, values[i]);
        }
        fallback.setBoolean(values.length + 1, deleted);
        fallback.executeUpdate();
    }

    @Override
    public void close() throws SQLException {
        if (fallback != null) {
            fallback.close();
            fallback = null;
        }
    }

    private static String quoted(List<String> names) {
        return names.stream().map(n -> quote(n)).collect(Collectors.joining(", "));
    }
}
