package io.pgreplication.camel.examples;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import static io.pgreplication.camel.table.Identifiers.quote;

/**
 * One table compared between PostgreSQL and its DuckDB copy: every row of the source's columns, by value (a column the
 * copy does not have yet counts as NULL there: added columns arrive with the table's next change). Values are
 * brought to one form before comparing: numbers without trailing zeros, timestamps with time zone as instants, JSON
 * with sorted keys, everything else as text.
 *
 * @param table          {@code schema.table}
 * @param postgresRows   rows in PostgreSQL
 * @param duckdbRows     rows in DuckDB
 * @param firstMismatch  a row in one but not the other ({@code postgres: ...} / {@code duckdb: ...}), or null
 */
public record TableComparison(String table, long postgresRows, long duckdbRows, String firstMismatch) {

    private static final ObjectMapper SORTED_JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    public boolean equal() {
        return firstMismatch == null;
    }

    /** Compares each {@code schema.table}; public tables are read from DuckDB's main schema (as DuckDbSink writes). */
    public static List<TableComparison> compare(Connection postgres, Connection duckdb, List<String> tables)
            throws SQLException {
        List<TableComparison> result = new ArrayList<>();
        String duckCatalog;
        try (Statement st = duckdb.createStatement(); ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            duckCatalog = quote(rs.getString(1)); // as DuckDbSink: a schema named like the file is not ambiguous
        }
        for (String table : tables) {
            String[] parts = table.split("\\.", 2);
            Map<String, String> columns = DuckDbSink.columns(postgres, parts[0], parts[1]);
            List<String> source = rows(postgres, "SELECT " + columns.keySet().stream().map(c -> quote(c))
                    .collect(Collectors.joining(", ")) + " FROM " + quote(parts[0]) + "." + quote(parts[1]), columns);
            String duckSchema = "public".equals(parts[0]) ? "main" : parts[0];
            // A column added in PostgreSQL reaches DuckDB with the table's next change; until then it is NULL there.
            Set<String> present = DuckDbSink.columns(duckdb, duckSchema, parts[1]).keySet();
            List<String> copy = rows(duckdb, "SELECT " + columns.keySet().stream()
                    .map(c -> present.contains(c) ? quote(c) : "NULL AS " + quote(c))
                    .collect(Collectors.joining(", ")) + " FROM " + duckCatalog + "." + quote(duckSchema) + "."
                    + quote(parts[1]), columns);
            result.add(new TableComparison(table, source.size(), copy.size(), firstMismatch(source, copy)));
        }
        return result;
    }

    /** The table's rows, each as one line of normalised values, sorted. */
    private static List<String> rows(Connection c, String sql, Map<String, String> columns) throws SQLException {
        List<String> types = new ArrayList<>(columns.values());
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 0; i < types.size(); i++) {
                    row.append(i == 0 ? "" : " | ").append(value(rs, i + 1, types.get(i)));
                }
                rows.add(row.toString());
            }
        }
        Collections.sort(rows);
        return rows;
    }

    private static String value(ResultSet rs, int i, String pgType) throws SQLException {
        if (rs.getObject(i) == null) {
            return "NULL";
        }
        return switch (pgType) {
            case "smallint", "integer", "bigint", "numeric", "real", "double precision" ->
                    rs.getBigDecimal(i).stripTrailingZeros().toPlainString();
            case "timestamp with time zone" -> rs.getObject(i, OffsetDateTime.class).toInstant().toString();
            case "boolean" -> Boolean.toString(rs.getBoolean(i));
            case "json", "jsonb" -> sortedJson(rs.getString(i));
            default -> rs.getString(i);
        };
    }

    private static String sortedJson(String text) throws SQLException {
        try {
            return SORTED_JSON.writeValueAsString(SORTED_JSON.readValue(text, Object.class));
        } catch (JsonProcessingException e) {
            throw new SQLException("not JSON: " + text, e);
        }
    }

    private static String firstMismatch(List<String> source, List<String> copy) {
        int i = 0;
        while (i < source.size() && i < copy.size() && source.get(i).equals(copy.get(i))) {
            i++;
        }
        if (i == source.size() && i == copy.size()) {
            return null;
        }
        // The lists are sorted: the smaller row at the first difference is the one the other side lacks.
        Optional<String> s = i < source.size() ? Optional.of(source.get(i)) : Optional.empty();
        Optional<String> d = i < copy.size() ? Optional.of(copy.get(i)) : Optional.empty();
        if (s.isPresent() && (d.isEmpty() || s.get().compareTo(d.get()) < 0)) {
            return "only in postgres: " + s.get();
        }
        return "only in duckdb: " + d.get();
    }

    @Override
    public String toString() {
        return String.format("%-20s postgres %,8d rows   duckdb %,8d rows   %s", table, postgresRows, duckdbRows,
                equal() ? "equal" : "DIFFERENT (" + firstMismatch + ")");
    }
}
