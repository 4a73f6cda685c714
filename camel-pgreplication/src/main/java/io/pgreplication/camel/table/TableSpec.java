package io.pgreplication.camel.table;

import java.util.Objects;

/**
 * One entry of the {@code tables} option: {@code schema.table}, {@code table} (in {@code public}) or {@code schema.*}.
 * Names are as stored in the catalog (the option text follows SQL identifier rules: unquoted names fold to lower case,
 * double-quoted names keep case, spaces and dots).
 *
 * @param schema schema name as stored in the catalog
 * @param table  table name as stored in the catalog, or null for every table of the schema
 */
public record TableSpec(String schema, String table) {

    public TableSpec {
        Objects.requireNonNull(schema, "schema");
    }

    public boolean isWholeSchema() {
        return table == null;
    }

    public boolean matches(String schemaName, String tableName) {
        return schema.equals(schemaName) && (table == null || table.equals(tableName));
    }

    /** {@code "schema"."table"} or {@code "schema".*}, quoted for SQL. */
    public String toSql() {
        return Identifiers.quote(schema) + "." + (table == null ? "*" : Identifiers.quote(table));
    }

    @Override
    public String toString() {
        return schema + "." + (table == null ? "*" : table);
    }
}
