package io.pgreplication.camel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableSpec;

/**
 * Reads the option values written the SQL way: names (unquoted fold to lower case, double-quoted keep case, spaces
 * and dots, {@code ""} for a quote inside), the {@code tables} list and the {@code includeColumns} allow-list. Every
 * error names the option, the position and the expected form.
 */
final class OptionParser {

    static final String TABLES_FORM = "a comma list of schema.table, table or schema.*; quote names with capitals,"
                                      + " spaces or dots: \"Sales\".\"Order Items\"";
    static final String INCLUDE_COLUMNS_FORM = "schema.table(col1,col2);table(col) — a ;-separated list of tables,"
                                               + " each with its columns in parentheses; quote names with capitals,"
                                               + " spaces or dots";
    static final String SIZE_FORM = "a number of bytes, or a number with kB, MB or GB (powers of 1024, as in"
                                    + " postgresql.conf), e.g. 1048576, 512kB, 64MB, 1GB";

    private OptionParser() {
    }

    /**
     * One of an enumerated option's values, spelled exactly as {@code toString()} of the enum constant spells it
     * (e.g. {@code initialOnly}); anything else fails naming the option and the values.
     */
    static <E extends Enum<E>> E choice(String option, String text, E[] values) {
        for (E value : values) {
            if (value.toString().equals(text)) {
                return value;
            }
        }
        throw new IllegalArgumentException("Invalid option " + option + "=" + text + ": use one of "
                                           + String.join(", ", names(values)));
    }

    /** The option values of an enum, e.g. {@code [never, initial, initialOnly]}. */
    static List<String> names(Enum<?>[] values) {
        List<String> names = new ArrayList<>(values.length);
        for (Enum<?> value : values) {
            names.add(value.toString());
        }
        return names;
    }

    /**
     * A size in bytes, written as postgresql.conf writes memory sizes: a plain number is bytes; a number followed by
     * {@code kB}, {@code MB} or {@code GB} (case as PostgreSQL spells them, a space allowed between) is that many
     * times 1024, 1024² or 1024³. Must be greater than 0.
     */
    static long size(String option, String text) {
        String t = text == null ? "" : text.trim();
        int digits = 0;
        while (digits < t.length() && Character.isDigit(t.charAt(digits))) {
            digits++;
        }
        String unit = t.substring(digits).trim();
        int shift = switch (unit) {
            case "" -> 0;
            case "kB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            default -> -1;
        };
        if (digits == 0 || shift < 0) {
            throw new IllegalArgumentException("Invalid option " + option + "=" + text + ": use " + SIZE_FORM);
        }
        long number;
        try {
            number = Long.parseLong(t.substring(0, digits));
        } catch (NumberFormatException e) {
            number = Long.MAX_VALUE;
        }
        if (number == 0 || number > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("Invalid option " + option + "=" + text + ": "
                                               + (number == 0 ? "it must be greater than 0" : "too large")
                                               + "; use " + SIZE_FORM);
        }
        return number << shift;
    }

    /** One identifier: unquoted folds to lower case, quoted keeps everything. */
    static String name(String option, String text) {
        Scanner in = new Scanner(option, text,
                "one name; quote a name with capitals, spaces or dots: \"MyPublication\"");
        in.skipSpaces();
        String name = in.identifier();
        in.skipSpaces();
        if (!in.atEnd()) {
            throw in.error("unexpected '" + in.peek() + "'");
        }
        return name;
    }

    /** The {@code tables} option: a comma-separated list; empty when the option is blank. */
    static List<TableSpec> tables(String option, String text) {
        List<TableSpec> result = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return result;
        }
        Scanner in = new Scanner(option, text, TABLES_FORM);
        while (true) {
            result.add(table(in));
            in.skipSpaces();
            if (in.atEnd()) {
                return result;
            }
            in.expect(',');
        }
    }

    /**
     * The {@code includeColumns} option from a String ({@code public.orders(id,status);items(id,qty)}) or a Map whose
     * keys are table names and whose values are a collection of column names or a comma-separated String.
     */
    static IncludeColumns includeColumns(String option, Object value) {
        if (value == null) {
            return IncludeColumns.ALL;
        }
        if (value instanceof Map<?, ?> map) {
            Map<TableSpec, List<String>> result = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                TableSpec table = oneTable(option, String.valueOf(e.getKey()));
                List<String> columns = new ArrayList<>();
                Object v = e.getValue();
                Collection<?> items = v instanceof Collection<?> c ? c : List.of(String.valueOf(v).split(","));
                for (Object item : items) {
                    columns.add(name(option, String.valueOf(item)));
                }
                put(option, result, table, columns);
            }
            return IncludeColumns.of(result);
        }
        if (value instanceof CharSequence text) {
            return includeColumns(option, text.toString());
        }
        throw new IllegalArgumentException("Invalid option " + option + ": a " + value.getClass().getName()
                                           + " was given; use a String like " + INCLUDE_COLUMNS_FORM
                                           + ", or a Map<String, List<String>> bean");
    }

    private static IncludeColumns includeColumns(String option, String text) {
        if (text.isBlank()) {
            return IncludeColumns.ALL;
        }
        Map<TableSpec, List<String>> result = new LinkedHashMap<>();
        Scanner in = new Scanner(option, text, INCLUDE_COLUMNS_FORM);
        while (true) {
            TableSpec table = table(in);
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
                return IncludeColumns.of(result);
            }
            in.expect(';');
            in.skipSpaces();
            if (in.atEnd()) {
                return IncludeColumns.of(result);
            }
        }
    }

    private static TableSpec oneTable(String option, String text) {
        Scanner in = new Scanner(option, text, "a table name: schema.table or table");
        TableSpec table = table(in);
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

    /** {@code schema.table}, {@code table} (in public) or {@code schema.*}. */
    private static TableSpec table(Scanner in) {
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

    /** A small cursor over option text that reports errors with the option name and position. */
    private static final class Scanner {
        private final String option;
        private final String text;
        private final String expectedForm;
        private int pos;

        Scanner(String option, String text, String expectedForm) {
            this.option = option;
            this.text = text;
            this.expectedForm = expectedForm;
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        char peek() {
            return text.charAt(pos);
        }

        void skipSpaces() {
            while (!atEnd() && Character.isWhitespace(peek())) {
                pos++;
            }
        }

        void expect(char c) {
            if (atEnd() || peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        String identifier() {
            if (atEnd()) {
                throw error("expected a name");
            }
            if (peek() == '"') {
                return quotedIdentifier();
            }
            int start = pos;
            while (!atEnd() && (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '$')) {
                pos++;
            }
            if (start == pos || Character.isDigit(text.charAt(start))) {
                throw error("expected a name");
            }
            return text.substring(start, pos).toLowerCase(Locale.ROOT);
        }

        private String quotedIdentifier() {
            StringBuilder name = new StringBuilder();
            pos++;
            while (true) {
                if (atEnd()) {
                    throw error("unterminated quoted name");
                }
                char c = text.charAt(pos++);
                if (c == '"') {
                    if (!atEnd() && peek() == '"') {
                        name.append('"');
                        pos++;
                    } else {
                        break;
                    }
                } else {
                    name.append(c);
                }
            }
            if (name.length() == 0) {
                throw error("empty quoted name");
            }
            return name.toString();
        }

        IllegalArgumentException error(String problem) {
            return new IllegalArgumentException("Invalid option " + option + "='" + text + "': " + problem
                                                + " at position " + (pos + 1) + ". Expected " + expectedForm);
        }
    }
}
