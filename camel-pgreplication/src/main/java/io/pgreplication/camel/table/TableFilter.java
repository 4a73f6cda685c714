package io.pgreplication.camel.table;

import java.util.List;

/**
 * Which tables are delivered: the {@code tables} option, asked by the stream (for every Relation message), by the
 * snapshot (for every published table) and by the choice of binary values. A table is identified by its OID as well as
 * its current name, so a filter may follow a table by identity.
 */
@FunctionalInterface
public interface TableFilter {

    /** Every table of the publication. */
    TableFilter ALL = (oid, schema, table) -> true;

    /**
     * @param oid    the table's OID
     * @param schema its schema now
     * @param table  its name now
     */
    boolean accepts(int oid, String schema, String table);

    /** The filter of a {@code tables} option, by name ({@code schema.*} by schema); empty accepts every table. */
    static TableFilter of(List<TableSpec> tables) {
        if (tables.isEmpty()) {
            return ALL;
        }
        List<TableSpec> specs = List.copyOf(tables);
        return (oid, schema, table) -> {
            for (TableSpec spec : specs) {
                if (spec.matches(schema, table)) {
                    return true;
                }
            }
            return false;
        };
    }
}
