package io.pgreplication.camel.admin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code includeColumns} option: a column allow-list per table, e.g. {@code public.orders(id,status);items(id,qty)}
 * or a {@code Map<String, List<String>>} bean. Tables not listed keep all their columns. Names follow SQL identifier
 * rules like {@code tables}.
 */
public final class IncludeColumns {

    /** Every column of every table. */
    public static final IncludeColumns ALL = new IncludeColumns(Map.of());

    static final String FORM = "schema.table(col1,col2);table(col) — a ;-separated list of tables, each with its"
                               + " columns in parentheses; quote names with capitals, spaces or dots";

    private final Map<TableSpec, List<String>> byTable;

    private IncludeColumns(Map<TableSpec, List<String>> byTable) {
        this.byTable = byTable;
    }

    /** The allowed columns of a table, in the order given, or null when all its columns are delivered. */
    public List<String> columnsOf(String schema, String table) {
        return byTable.get(new TableSpec(schema, table));
    }

    public boolean isAll() {
        return byTable.isEmpty();
    }

    /** The listed tables and their columns, in the order given. */
    public Map<TableSpec, List<String>> byTable() {
        return byTable;
    }

    /**
     * Reads the option from a String ({@code public.orders(id,status);items(id,qty)}) or a Map whose keys are table
     * names and whose values are a collection of column names or a comma-separated String.
     */
    public static IncludeColumns of(String option, Object value) {
        if (value == null) {
            return ALL;
        }
        if (value instanceof Map<?, ?> map) {
            Map<TableSpec, List<String>> result = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                TableSpec table = tableOf(option, String.valueOf(e.getKey()));
                List<String> columns = new ArrayList<>();
                Object v = e.getValue();
                Collection<?> items = v instanceof Collection<?> c ? c : List.of(String.valueOf(v).split(","));
                for (Object item : items) {
                    columns.add(Identifiers.parse(option, String.valueOf(item)));
                }
                put(option, result, table, columns);
            }
            return new IncludeColumns(Map.copyOf(result));
        }
        if (value instanceof CharSequence text) {
            return parse(option, text.toString());
        }
        throw new IllegalArgumentException("Invalid option " + option + ": a " + value.getClass().getName()
                                           + " was given; use a String like " + FORM
                                           + ", or a Map<String, List<String>> bean");
    }

    static IncludeColumns parse(String option, String text) {
        if (text.isBlank()) {
            return ALL;
        }
        Map<TableSpec, List<String>> result = new LinkedHashMap<>();
        Identifiers.Scanner in = new Identifiers.Scanner(option, text, FORM);
        while (true) {
            TableSpec table = TableSpec.parseOne(in);
            if (table.isWholeSchema()) {
                throw in.error("schema.* is not allowed here, name the table");
            }
            in.skipSpaces();
            in.expect('(');
            List<String> columns = new ArrayList<>();
            while (true) {
                in.skipSpaces();
                columns.add(in.identifier());
                in.skipSpaces();
                if (!in.atEnd() && in.peek() == ')') {
                    in.expect(')');
                    break;
                }
                in.expect(',');
            }
            put(option, result, table, columns);
            in.skipSpaces();
            if (in.atEnd()) {
                return new IncludeColumns(Map.copyOf(result));
            }
            in.expect(';');
            in.skipSpaces();
            if (in.atEnd()) {
                return new IncludeColumns(Map.copyOf(result));
            }
        }
    }

    private static TableSpec tableOf(String option, String text) {
        Identifiers.Scanner in = new Identifiers.Scanner(option, text, "a table name: schema.table or table");
        TableSpec table = TableSpec.parseOne(in);
        in.skipSpaces();
        if (table.isWholeSchema() || !in.atEnd()) {
            throw in.error("expected one table name");
        }
        return table;
    }

    private static void put(String option, Map<TableSpec, List<String>> result, TableSpec table,
                            List<String> columns) {
        if (result.put(table, List.copyOf(columns)) != null) {
            throw new IllegalArgumentException("Invalid option " + option + ": table " + table
                                               + " is listed twice; give all its columns in one entry");
        }
    }

    @Override
    public String toString() {
        return byTable.toString();
    }
}
