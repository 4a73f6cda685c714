package io.pgreplication.camel.table;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tables a consumer delivers, resolved against the catalog at start: a table named in {@code tables} is followed
 * by its OID, so a rename or {@code SET SCHEMA} keeps it delivered under its new name; a {@code schema.*} entry
 * matches by schema, so a table moved out of the schema stops being delivered. No entries: every table of the
 * publication.
 */
public final class FollowedTables implements TableFilter {

    /** Every table of the publication. */
    public static final FollowedTables ALL = new FollowedTables(List.of(), Map.of());

    private final List<TableSpec> schemas;
    private final Map<Integer, TableSpec> named;

    private FollowedTables(List<TableSpec> schemas, Map<Integer, TableSpec> named) {
        this.schemas = schemas;
        this.named = named;
    }

    /**
     * @param tables the {@code tables} option; empty for every table
     * @param oids   the OID of every named (not {@code schema.*}) entry, as the catalog has it now
     */
    public static FollowedTables of(List<TableSpec> tables, Map<TableSpec, Integer> oids) {
        if (tables.isEmpty()) {
            return ALL;
        }
        Map<Integer, TableSpec> named = new HashMap<>();
        for (TableSpec spec : tables) {
            if (!spec.isWholeSchema()) {
                Integer oid = oids.get(spec);
                if (oid == null) {
                    throw new IllegalArgumentException("no OID for table " + spec);
                }
                named.put(oid, spec);
            }
        }
        return new FollowedTables(tables.stream().filter(TableSpec::isWholeSchema).toList(), Map.copyOf(named));
    }

    @Override
    public boolean accepts(int oid, String schema, String table) {
        if (named.isEmpty() && schemas.isEmpty()) {
            return true;
        }
        if (named.containsKey(oid)) {
            return true;
        }
        for (TableSpec spec : schemas) {
            if (spec.schema().equals(schema)) {
                return true;
            }
        }
        return false;
    }

    /** The tables named in {@code tables}, by OID, under the names the option gives them. */
    public Map<Integer, TableSpec> named() {
        return named;
    }
}
