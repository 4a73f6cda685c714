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

import static io.pgreplication.camel.table.Identifiers.quote;

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
    /** The target, quoted and qualified. */
    private final String name;
    private final Set<String> columns;
    private List<String> key = List.of();
    private List<String> rowColumns = List.of();
    private DuckDbStage stage;

    DuckDbTable(Connection connection, String catalog, String schema, String table, Set<String> columns) {
        this.connection = connection;
        this.schema = quote(catalog) + "." + quote(schema);
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
            // Named by the table OID: names built from schema and table could collide (a_b.c and a.b_c).
            stage = DuckDbStage.create(connection, name, "pgreplication_stage_" + relation.oid(), relation, newKey);
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
                case INSERT, SNAPSHOT -> put(event.getAfter());
                case UPDATE -> {
                    byKey();
                    List<Object> oldKey = keyOf(event.getKey());
                    if (hasUnchangedToast(event)) {
                        // A row without its unchanged TOAST columns: apply what came before, then update this row in
                        // place (moving it if its key changed), so the columns it lacks keep their values.
                        flush();
                        updatePartial(oldKey, event.getAfter());
                    } else {
                        if (!oldKey.equals(keyOf(event.getAfter()))) {
                            finalState.put(oldKey, null); // the key changed: the old row goes
                        }
                        put(event.getAfter());
                    }
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

        private void put(Map<String, Object> after) {
            if (keyed) {
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

    private static boolean hasUnchangedToast(ChangeEvent event) {
        return event.getUnchangedToast() != null && !event.getUnchangedToast().isEmpty();
    }

    /**
     * Sets the columns the row has (the unchanged TOAST columns it lacks keep their value) on the row under its key,
     * and removes the row under {@code oldKey} when the key changed; when there is no row under the new key yet, moves
     * the one under {@code oldKey} there; inserts the row when neither exists. A batch applied again after the key
     * moved (at-least-once) finds the row under its new key and leaves no copy behind.
     */
    private void updatePartial(List<Object> oldKey, Map<String, Object> row) throws SQLException {
        List<Object> newKey = keyOf(row);
        boolean moved = !oldKey.equals(newKey);
        if (update(newKey, row) > 0) {
            if (moved) {
                delete(oldKey);
            }
            return;
        }
        if (moved && update(oldKey, row) > 0) {
            return;
        }
        List<String> names = new ArrayList<>(row.keySet());
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + name + " (" + names.stream()
                .map(n -> quote(n)).collect(Collectors.joining(", ")) + ") VALUES ("
                + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ")")) {
            for (int i = 0; i < names.size(); i++) {
                DuckDbTypes.bind(ps, i + 1, row.get(names.get(i)));
            }
            ps.executeUpdate();
        }
    }

    private void delete(List<Object> where) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM " + name + " WHERE " + whereKey())) {
            for (int i = 0; i < where.size(); i++) {
                DuckDbTypes.bind(ps, i + 1, where.get(i));
            }
            ps.executeUpdate();
        }
    }

    private String whereKey() {
        return key.stream().map(k -> quote(k) + " = ?").collect(Collectors.joining(" AND "));
    }

    /** Sets every column the row has on the row whose key is {@code where}; the number of rows updated. */
    private int update(List<Object> where, Map<String, Object> row) throws SQLException {
        List<String> names = new ArrayList<>(row.keySet());
        String sql = "UPDATE " + name + " SET " + names.stream().map(n -> quote(n) + " = ?")
                .collect(Collectors.joining(", ")) + " WHERE " + whereKey();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            int index = 1;
            for (String n : names) {
                DuckDbTypes.bind(ps, index++, row.get(n));
            }
            for (Object value : where) {
                DuckDbTypes.bind(ps, index++, value);
            }
            return ps.executeUpdate();
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
