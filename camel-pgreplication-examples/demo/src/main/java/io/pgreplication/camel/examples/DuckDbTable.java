package io.pgreplication.camel.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.ColumnMetadata;
import io.pgreplication.camel.event.RelationMetadata;

import static io.pgreplication.camel.admin.Identifiers.quote;

/**
 * One DuckDB target table of {@link DuckDbSink}: its columns and key, and how a batch is applied. A batch is first
 * reduced, in order, to each touched key's final state (a row, or gone); {@link DuckDbStage} then writes those states
 * in bulk and merges them with one delete and one insert.
 *
 * <p>The table is created without a PRIMARY KEY: DuckDB maintains such a key in an index that makes every insert and
 * every checkpoint several times slower, and merging by key needs no index (dlt's DuckDB destination creates none
 * either). A table that has one, made by an earlier version, works the same.
 */
final class DuckDbTable implements AutoCloseable {

    private final Connection connection;
    /** The target's schema, quoted and qualified with the database (catalog) name. */
    private final String schema;
    private final String table;
    /** The target, quoted and qualified. */
    private final String name;
    private final Set<String> columns;
    private List<String> key = List.of();
    private List<String> rowColumns = List.of();
    private DuckDbStage stage;

    DuckDbTable(Connection connection, String catalog, String schema, String table, Set<String> columns) {
        this.connection = connection;
        this.schema = quote(catalog) + "." + quote(schema);
        this.table = table;
        this.name = this.schema + "." + quote(table);
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
                st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                st.execute("CREATE TABLE " + name + " (" + relation.columns().stream()
                        .map(col -> quote(col.name()) + " " + DuckDbTypes.columnType(col))
                        .collect(Collectors.joining(", ")) + ")");
                columns.addAll(newRowColumns);
            }
            for (ColumnMetadata col : relation.columns()) {
                if (columns.add(col.name())) {
                    st.execute("ALTER TABLE " + name + " ADD COLUMN " + quote(col.name()) + " "
                               + DuckDbTypes.columnType(col));
                }
            }
        }
        if (changed) {
            close();
            stage = DuckDbStage.create(connection, name, "pgreplication_stage_" + relation.schema() + "_" + table,
                    relation, newKey);
        }
        key = newKey;
        rowColumns = newRowColumns;
    }

    /** The changes of one batch of {@code size} events. */
    Changes changes(int size) {
        return new Changes(size);
    }

    /**
     * A batch reduced to the final state of each key it touched: a row, or null for gone. While the batch has only
     * inserted (snapshot rows, a load), its rows cannot share a key and are kept as they come, without a key lookup.
     */
    final class Changes {
        private final List<Map<String, Object>> inserted;
        private final Map<List<Object>, Map<String, Object>> finalState;
        private boolean keyed;

        Changes(int size) {
            inserted = new ArrayList<>(size);
            finalState = new HashMap<>(size * 2);
        }

        void add(ChangeEvent event) throws SQLException {
            switch (event.getOperation()) {
                case INSERT, SNAPSHOT -> put(event.getAfter(), event);
                case UPDATE -> {
                    byKey();
                    List<Object> oldKey = keyOf(event.getKey());
                    if (!oldKey.equals(keyOf(event.getAfter()))) {
                        finalState.put(oldKey, null); // the key changed: the old row goes
                    }
                    put(event.getAfter(), event);
                }
                case DELETE -> {
                    byKey();
                    finalState.put(keyOf(event.getKey()), null);
                }
                case TRUNCATE -> {
                    // Everything before the truncate is gone anyway; after it, the batch starts afresh.
                    inserted.clear();
                    finalState.clear();
                    keyed = false;
                    try (Statement st = connection.createStatement()) {
                        st.execute("DELETE FROM " + name);
                    }
                }
                default -> {
                    // messages carry no rows
                }
            }
        }

        /** From the first update or delete on, every row is kept under its key. */
        private void byKey() {
            if (!keyed) {
                for (Map<String, Object> row : inserted) {
                    finalState.put(keyOf(row), row);
                }
                inserted.clear();
                keyed = true;
            }
        }

        private void put(Map<String, Object> after, ChangeEvent event) throws SQLException {
            if (event.getUnchangedToast() != null && !event.getUnchangedToast().isEmpty()) {
                // A row without its unchanged TOAST columns: apply what came before, then update just this row.
                flush();
                updatePartial(after);
            } else if (keyed) {
                finalState.put(keyOf(after), after);
            } else {
                inserted.add(after);
            }
        }

        /** Applies the final states: every touched key deleted, the surviving rows inserted. */
        void flush() throws SQLException {
            if (!inserted.isEmpty() || !finalState.isEmpty()) {
                stage.merge(inserted, finalState);
                inserted.clear();
                finalState.clear();
            }
        }
    }

    private List<Object> keyOf(Map<String, Object> row) {
        List<Object> values = new ArrayList<>(key.size());
        for (String k : key) {
            values.add(row.get(k));
        }
        return values;
    }

    /** Updates the columns the row has (the missing unchanged TOAST columns keep their value), or inserts it. */
    private void updatePartial(Map<String, Object> row) throws SQLException {
        List<String> names = new ArrayList<>(row.keySet());
        List<String> updated = names.stream().filter(n -> !key.contains(n)).toList();
        // With nothing but the key to set, setting a key column to itself still tells whether the row exists.
        List<String> set = updated.isEmpty() ? key.subList(0, 1) : updated;
        String sql = "UPDATE " + name + " SET " + set.stream().map(n -> quote(n) + " = ?")
                .collect(Collectors.joining(", ")) + " WHERE " + key.stream().map(k -> quote(k) + " = ?")
                .collect(Collectors.joining(" AND "));
        int count;
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            int index = 1;
            for (String n : set) {
                DuckDbTypes.bind(ps, index++, row.get(n));
            }
            for (String k : key) {
                DuckDbTypes.bind(ps, index++, row.get(k));
            }
            count = ps.executeUpdate();
        }
        if (count == 0) {
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + name + " (" + names.stream()
                    .map(n -> quote(n)).collect(Collectors.joining(", ")) + ") VALUES ("
                    + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ")")) {
                for (int i = 0; i < names.size(); i++) {
                    DuckDbTypes.bind(ps, i + 1, row.get(names.get(i)));
                }
                ps.executeUpdate();
            }
        }
    }

    @Override
    public void close() throws SQLException {
        if (stage != null) {
            stage.close();
            stage = null;
        }
    }
}
