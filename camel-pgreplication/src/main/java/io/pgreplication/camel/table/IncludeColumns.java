package io.pgreplication.camel.table;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code includeColumns} option: a column allow-list per table. Tables not listed keep all their columns. Once
 * {@link #resolve resolved} against the catalog, a listed table is followed by its OID, like the {@code tables}
 * option: a renamed table keeps its allow-list.
 */
public final class IncludeColumns {

    /** Every column of every table. */
    public static final IncludeColumns ALL = new IncludeColumns(Map.of(), Map.of());

    private final Map<TableSpec, List<String>> byTable;
    /** The same lists by table OID once resolved; empty until then. */
    private final Map<Integer, List<String>> byOid;

    private IncludeColumns(Map<TableSpec, List<String>> byTable, Map<Integer, List<String>> byOid) {
        this.byTable = byTable;
        this.byOid = byOid;
    }

    /** The allow-lists by table, in the order given; an empty map is {@link #ALL}. */
    public static IncludeColumns of(Map<TableSpec, List<String>> byTable) {
        return byTable.isEmpty() ? ALL : new IncludeColumns(Map.copyOf(byTable), Map.of());
    }

    /** The same allow-lists, followed by table OID; {@code oids} holds the OID of every listed table. */
    public IncludeColumns resolve(Map<TableSpec, Integer> oids) {
        if (isAll()) {
            return ALL;
        }
        Map<Integer, List<String>> resolved = new HashMap<>();
        for (Map.Entry<TableSpec, List<String>> entry : byTable.entrySet()) {
            Integer oid = oids.get(entry.getKey());
            if (oid == null) {
                throw new IllegalArgumentException("no OID for table " + entry.getKey());
            }
            resolved.put(oid, entry.getValue());
        }
        return new IncludeColumns(byTable, Map.copyOf(resolved));
    }

    /**
     * The allowed columns of a table, in the order given, or null when all its columns are delivered: by OID once
     * resolved, by the current name before.
     */
    public List<String> columnsOf(int oid, String schema, String table) {
        return byOid.isEmpty() ? byTable.get(new TableSpec(schema, table)) : byOid.get(oid);
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
