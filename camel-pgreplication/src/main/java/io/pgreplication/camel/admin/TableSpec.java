package io.pgreplication.camel.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the {@code tables} option: {@code schema.table}, {@code table} (in {@code public}) or {@code schema.*}.
 * Names follow SQL identifier rules: unquoted names fold to lower case, double-quoted names keep case, spaces and
 * dots, with {@code ""} for a quote inside.
 *
 * @param schema schema name as stored in the catalog
 * @param table  table name as stored in the catalog, or null for every table of the schema
 */
public record TableSpec(String schema, String table) {

    static final String FORM = "a comma list of schema.table, table or schema.*; quote names with capitals, spaces"
                               + " or dots: \"Sales\".\"Order Items\"";

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

    /**
     * Parses a comma-separated list. Throws {@link IllegalArgumentException} naming {@code option} and the expected
     * form on anything else.
     */
    public static List<TableSpec> parseList(String option, String text) {
        List<TableSpec> result = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return result;
        }
        Identifiers.Scanner in = new Identifiers.Scanner(option, text, FORM);
        while (true) {
            result.add(parseOne(in));
            in.skipSpaces();
            if (in.atEnd()) {
                return result;
            }
            in.expect(',');
        }
    }

    static TableSpec parseOne(Identifiers.Scanner in) {
        in.skipSpaces();
        String first = in.identifier();
        in.skipSpaces();
        if (!in.atEnd() && in.peek() == '.') {
            in.expect('.');
            in.skipSpaces();
            if (!in.atEnd() && in.peek() == '*') {
                in.expect('*');
                return new TableSpec(first, null);
            }
            return new TableSpec(first, in.identifier());
        }
        return new TableSpec("public", first);
    }
}
