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

import static io.pgreplication.camel.admin.Identifiers.quote;

/**
 * The staging table of one {@link DuckDbTable}: a temporary table with the relation's columns and a deleted flag, filled
 * through DuckDB's appender and merged into the target with two set-based statements per batch. Row-at-a-time or
 * multi-row {@code INSERT ... VALUES} statements cost DuckDB milliseconds each (parsing, binding every parameter through
 * JDBC); the appender writes the values straight into DuckDB's column vectors.
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
    private final boolean[] isKey;
    private final String deleteSql;
    private final String insertSql;
    private final String fallbackSql;
    private PreparedStatement fallback;

    private DuckDbStage(Connection connection, String stageTable, List<String> columns,
            List<DuckDbTypes.StageColumn> types, boolean[] isKey, String deleteSql, String insertSql,
            String fallbackSql) {
        this.connection = connection;
        this.stageTable = stageTable;
        this.columns = columns;
        this.types = types;
        this.isKey = isKey;
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
        boolean[] isKey = new boolean[columns.size()];
        for (int i = 0; i < isKey.length; i++) {
            isKey[i] = key.contains(columns.get(i));
        }
        String stage = "temp.main." + quote(stageName);
        try (Statement st = connection.createStatement()) {
            List<String> definitions = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                definitions.add(quote(columns.get(i)) + " " + types.get(i).duckDbType());
            }
            definitions.add(quote(DELETED) + " BOOLEAN");
            st.execute("CREATE OR REPLACE TEMP TABLE " + quote(stageName) + " (" + String.join(", ", definitions) + ")");
        }
        String names = quoted(columns);
        String deleteSql = "DELETE FROM " + target + " USING " + stage + " s WHERE " + key.stream()
                .map(k -> target + "." + quote(k) + " = s." + quote(k)).collect(Collectors.joining(" AND "));
        // Staged values are cast to the target's column types here (text forms become JSON, TIME, DECIMAL...).
        String insertSql = "INSERT INTO " + target + " (" + names + ") SELECT " + names + " FROM " + stage
                           + " WHERE NOT " + quote(DELETED);
        String fallbackSql = "INSERT INTO " + stage + " (" + names + ", " + quote(DELETED) + ") VALUES ("
                             + "?, ".repeat(columns.size()) + "?)";
        return new DuckDbStage(connection, stageName, columns, types, isKey, deleteSql, insertSql, fallbackSql);
    }

    /** Applies final states: {@code null} for a key that is gone, else the row. Keys are in key-column order. */
    void merge(Map<List<Object>, Map<String, Object>> finalStates, List<String> key) throws SQLException {
        try (Statement st = connection.createStatement()) {
            // Also opens the DuckDB transaction: the appender joins an open transaction and commits on its own
            // otherwise, which would escape the batch's rollback.
            st.execute("DELETE FROM temp.main." + quote(stageTable));
        }
        boolean anyRow;
        // An appender per batch: an appender belongs to the thread that made it, and batches may come on any thread.
        try (DuckDBAppender rows = connection.unwrap(DuckDBConnection.class).createAppender("temp", "main",
                stageTable)) {
            anyRow = append(rows, finalStates, key);
        }
        try (Statement st = connection.createStatement()) {
            st.execute(deleteSql);
            if (anyRow) {
                st.execute(insertSql);
            }
        }
    }

    /** Appends every final state (a row that does not fit goes through {@link #insertOne}); true if any is a row. */
    private boolean append(DuckDBAppender rows, Map<List<Object>, Map<String, Object>> finalStates, List<String> key)
            throws SQLException {
        boolean anyRow = false;
        for (Map.Entry<List<Object>, Map<String, Object>> state : finalStates.entrySet()) {
            Map<String, Object> row = state.getValue();
            if (row == null) {
                row = keyRow(key, state.getKey());
            } else {
                anyRow = true;
            }
            boolean deleted = state.getValue() == null;
            if (fits(row, deleted)) {
                rows.beginRow();
                for (int i = 0; i < columns.size(); i++) {
                    Object value = deleted && !isKey[i] ? null : row.get(columns.get(i));
                    types.get(i).append(rows, value);
                }
                rows.append(deleted).endRow();
            } else {
                insertOne(row, deleted);
            }
        }
        rows.flush();
        return anyRow;
    }

    private boolean fits(Map<String, Object> row, boolean deleted) {
        for (int i = 0; i < columns.size(); i++) {
            if ((!deleted || isKey[i]) && !types.get(i).accepts(row.get(columns.get(i)))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A row with a value the appender cannot take as such (a date {@code infinity}, a numeric {@code NaN}): one INSERT
     * with the value bound as text, for DuckDB to cast as it did before the appender.
     */
    private void insertOne(Map<String, Object> row, boolean deleted) throws SQLException {
        if (fallback == null) {
            fallback = connection.prepareStatement(fallbackSql);
        }
        for (int i = 0; i < columns.size(); i++) {
            DuckDbTypes.bind(fallback, i + 1, deleted && !isKey[i] ? null : row.get(columns.get(i)));
        }
        fallback.setBoolean(columns.size() + 1, deleted);
        fallback.executeUpdate();
    }

    private static Map<String, Object> keyRow(List<String> key, List<Object> values) {
        Map<String, Object> row = new java.util.HashMap<>();
        for (int i = 0; i < key.size(); i++) {
            row.put(key.get(i), values.get(i));
        }
        return row;
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
