package io.pgreplication.camel.table;

import java.util.List;
import java.util.Map;

/**
 * The {@code includeColumns} option: a column allow-list per table. Tables not listed keep all their columns.
 */
public final class IncludeColumns {

    /** Every column of every table. */
    public static final IncludeColumns ALL = new IncludeColumns(Map.of());

    private final Map<TableSpec, List<String>> byTable;

    private IncludeColumns(Map<TableSpec, List<String>> byTable) {
        this.byTable = byTable;
    }

    /** The allow-lists by table, in the order given; an empty map is {@link #ALL}. */
    public static IncludeColumns of(Map<TableSpec, List<String>> byTable) {
        return byTable.isEmpty() ? ALL : new IncludeColumns(Map.copyOf(byTable));
    }

    /** The allowed columns of a table, in the order given, or null when all its columns are delivered. */
    public List<String> columnsOf(String schema, String table) {
        return byTable.get(new TableSpec(schema, table));
    }

    public boolean isAll() {
        return byTable.isEmpty();
    }

    /** The listed tables and their columns. */
    public Map<TableSpec, List<String>> byTable() {
        return byTable;
    }

    @Override
    public String toString() {
        return byTable.toString();
    }
}
