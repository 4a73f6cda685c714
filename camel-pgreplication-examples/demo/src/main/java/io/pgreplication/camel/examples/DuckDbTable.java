package io.pgreplication.camel.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.ColumnMetadata;
import io.pgreplication.camel.event.RelationMetadata;

import static io.pgreplication.camel.table.Identifiers.quote;

/**
 * One DuckDB target table of {@link DuckDbSink}: its columns and key, and how a batch is applied. Row-at-a-time upserts
 * are slow in DuckDB (milliseconds each), so a batch is first reduced to each touched key's final state; then every
 * touched key is deleted in one statement and the surviving rows are inserted many per statement.
 */
final class DuckDbTable {

    /** Rows per multi-row INSERT. */
    private static final int ROWS_PER_INSERT = 100;

    private final Connection connection;
    private final String schema;
    private final String name;
    private final String keysTable;
    private final Set<String> columns;
    private List<String> key = List.of();
    private List<String> rowColumns = List.of();
    private final Map<Integer, PreparedStatement> inserts = new LinkedHashMap<>();
    private final Map<Integer, PreparedStatement> keyInserts = new LinkedHashMap<>();

    DuckDbTable(Connection connection, String schema, String table, Set<String> columns) {
        this.connection = connection;
        this.schema = schema;
        this.name = quote(schema) + "." + quote(table);
        this.keysTable = quote("pgreplication_keys_" + schema + "_" + table);
        this.columns = columns;
    }

    /** Creates the table, or adds the relation's columns it lacks; notes the key and the columns rows carry. */
    void widen(RelationMetadata relation) throws SQLException {
        List<String> newKey = relation.keyColumns();
        if (newKey.isEmpty()) {
            throw new IllegalStateException("DuckDbSink needs a key to merge by: give " + relation.qualifiedName()
                                            + " a primary key (or REPLICA IDENTITY USING INDEX)");
        }
        List<String> newRowColumns = relation.columns().stream().map(ColumnMetadata::name).toList();
        boolean changed = !newKey.equals(key) || !newRowColumns.equals(rowColumns);
        try (Statement st = connection.createStatement()) {
            if (columns.isEmpty()) {
                st.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
                st.execute("CREATE TABLE " + name + " (" + relation.columns().stream()
                        .map(col -> quote(col.name()) + " " + DuckDbTypes.columnType(col))
                        .collect(Collectors.joining(", ")) + ", PRIMARY KEY (" + quoted(newKey) + "))");
                columns.addAll(newRowColumns);
            }
            for (ColumnMetadata col : relation.columns()) {
                if (columns.add(col.name())) {
                    st.execute("ALTER TABLE " + name + " ADD COLUMN " + quote(col.name()) + " "
                               + DuckDbTypes.columnType(col));
                }
            }
            if (changed) {
                closeStatements();
                st.execute("CREATE OR REPLACE TEMP TABLE " + keysTable + " AS SELECT " + quoted(newKey) + " FROM "
                           + name + " LIMIT 0");
            }
        }
        key = newKey;
        rowColumns = newRowColumns;
    }

    Changes changes() {
        return new Changes();
    }

    /** A batch reduced to the final state of each key it touched: a row, or null for gone. */
    final class Changes {
        private final Map<List<Object>, Map<String, Object>> finalState = new LinkedHashMap<>();

        void add(ChangeEvent event) throws SQLException {
            switch (event.getOperation()) {
                case INSERT, SNAPSHOT -> put(event.getAfter(), event);
                case UPDATE -> {
                    List<Object> oldKey = keyOf(event.getKey());
                    if (!oldKey.equals(keyOf(event.getAfter()))) {
                        finalState.put(oldKey, null); // the key changed: the old row goes
                    }
                    put(event.getAfter(), event);
                }
                case DELETE -> finalState.put(keyOf(event.getKey()), null);
                case TRUNCATE -> {
                    finalState.clear(); // everything before the truncate is gone anyway
                    try (Statement st = connection.createStatement()) {
                        st.execute("DELETE FROM " + name);
                    }
                }
                default -> {
                    // messages carry no rows
                }
            }
        }

        private void put(Map<String, Object> after, ChangeEvent event) throws SQLException {
            if (event.getUnchangedToast() != null && !event.getUnchangedToast().isEmpty()) {
                // A row without its unchanged TOAST columns: apply what came before, then update just this row.
                flush();
                updatePartial(after);
                return;
            }
            finalState.put(keyOf(after), after);
        }

        /** Deletes every touched key, then inserts the surviving rows. */
        void flush() throws SQLException {
            if (finalState.isEmpty()) {
                return;
            }
            List<Map<String, Object>> rows = finalState.values().stream().filter(r -> r != null).toList();
            insert(keyInserts, keysTable, key, new ArrayList<>(finalState.keySet()).stream()
                    .map(DuckDbTable.this::keyRow).toList());
            try (Statement st = connection.createStatement()) {
                st.execute("DELETE FROM " + name + " USING " + keysTable + " k WHERE " + key.stream()
                        .map(k -> name + "." + quote(k) + " = k." + quote(k)).collect(Collectors.joining(" AND ")));
                st.execute("DELETE FROM " + keysTable);
            }
            insert(inserts, name, rowColumns, rows);
            finalState.clear();
        }
    }

    private List<Object> keyOf(Map<String, Object> row) {
        List<Object> values = new ArrayList<>(key.size());
        for (String k : key) {
            values.add(row.get(k));
        }
        return values;
    }

    private Map<String, Object> keyRow(List<Object> values) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < key.size(); i++) {
            row.put(key.get(i), values.get(i));
        }
        return row;
    }

    /** Multi-row INSERTs of {@code rows} into {@code table}, {@link #ROWS_PER_INSERT} at a time. */
    private void insert(Map<Integer, PreparedStatement> cache, String table, List<String> names,
            List<Map<String, Object>> rows) throws SQLException {
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<Map<String, Object>> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            PreparedStatement ps = cache.get(chunk.size());
            if (ps == null) {
                String tuple = names.stream().map(n -> "?").collect(Collectors.joining(", ", "(", ")"));
                ps = connection.prepareStatement("INSERT INTO " + table + " (" + quoted(names) + ") VALUES "
                                                 + String.join(", ", Collections.nCopies(chunk.size(), tuple)));
                cache.put(chunk.size(), ps);
            }
            int index = 1;
            for (Map<String, Object> row : chunk) {
                for (String column : names) {
                    DuckDbTypes.bind(ps, index++, row.get(column));
                }
            }
            ps.executeUpdate();
        }
    }

    /** Updates the columns the row has (the missing unchanged TOAST columns keep their value), or inserts it. */
    private void updatePartial(Map<String, Object> row) throws SQLException {
        List<String> names = new ArrayList<>(row.keySet());
        List<String> updated = names.stream().filter(n -> !key.contains(n)).toList();
        String sql = "INSERT INTO " + name + " (" + quoted(names) + ") VALUES ("
                     + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ") ON CONFLICT ("
                     + quoted(key) + ") DO " + (updated.isEmpty() ? "NOTHING" : "UPDATE SET " + updated.stream()
                             .map(n -> quote(n) + " = EXCLUDED." + quote(n)).collect(Collectors.joining(", ")));
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < names.size(); i++) {
                DuckDbTypes.bind(ps, i + 1, row.get(names.get(i)));
            }
            ps.executeUpdate();
        }
    }

    void closeStatements() throws SQLException {
        for (PreparedStatement ps : inserts.values()) {
            ps.close();
        }
        for (PreparedStatement ps : keyInserts.values()) {
            ps.close();
        }
        inserts.clear();
        keyInserts.clear();
    }

    private static String quoted(List<String> names) {
        return names.stream().map(n -> quote(n)).collect(Collectors.joining(", "));
    }
}
