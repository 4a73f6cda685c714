package io.pgreplication.camel.examples;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.pgreplication.camel.event.ColumnMetadata;

/**
 * How {@link DuckDbSink} maps PostgreSQL columns to DuckDB: column types from the type name in the
 * {@code CamelPgReplicationRelation} header, values from the Java types the component delivers.
 */
final class DuckDbTypes {

    /** For lists (arrays) that may hold dates and times: ISO strings, as in the component's own JSON. */
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    /** DuckDB parses these forms (seconds always present, a space before the time); java.time's toString may not. */
    private static final Map<Class<?>, DateTimeFormatter> TEMPORAL = Map.of(
            OffsetDateTime.class, DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx"),
            LocalDateTime.class, DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS"),
            OffsetTime.class, DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSSxxx"),
            LocalTime.class, DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS"),
            LocalDate.class, DateTimeFormatter.ISO_LOCAL_DATE);

    /** DuckDB's widest DECIMAL; wider or unconstrained numerics go elsewhere (see {@link #columnType}). */
    private static final int MAX_DECIMAL_PRECISION = 38;

    private DuckDbTypes() {
    }

    /** The DuckDB column type for a PostgreSQL column; anything without a close DuckDB type becomes VARCHAR. */
    static String columnType(ColumnMetadata column) {
        String type = column.typeName();
        if (type.endsWith("[]") || type.startsWith("_")) {
            return "JSON"; // arrays arrive as (nested) lists: kept as JSON arrays
        }
        return switch (type) {
            case "smallint" -> "SMALLINT";
            case "integer" -> "INTEGER";
            case "bigint" -> "BIGINT";
            case "real" -> "FLOAT";
            case "double precision" -> "DOUBLE";
            case "numeric" -> decimal(column.typeModifier());
            case "boolean" -> "BOOLEAN";
            case "bytea" -> "BLOB";
            case "uuid" -> "UUID";
            case "date" -> "DATE";
            case "time without time zone" -> "TIME";
            case "time with time zone" -> "TIMETZ";
            case "timestamp without time zone" -> "TIMESTAMP";
            case "timestamp with time zone" -> "TIMESTAMPTZ";
            case "json", "jsonb" -> "JSON";
            // text, varchar, bpchar, name, enums, interval, inet, money, ...: their text form
            default -> "VARCHAR";
        };
    }

    /**
     * numeric(p,s) with p up to 38 maps to DECIMAL(p,s); wider ones keep their exact text (VARCHAR); unconstrained
     * numeric, which can hold any scale, becomes DECIMAL(38,9), the usual warehouse choice (dlt's too).
     */
    private static String decimal(int typeModifier) {
        if (typeModifier < 4) {
            return "DECIMAL(38,9)";
        }
        int precision = ((typeModifier - 4) >> 16) & 0xffff;
        int scale = (typeModifier - 4) & 0xffff;
        return precision <= MAX_DECIMAL_PRECISION ? "DECIMAL(" + precision + "," + scale + ")" : "VARCHAR";
    }

    /**
     * Binds one value. Numbers, booleans and bytes bind natively; JSON, lists and maps as JSON text; dates and times in
     * the form DuckDB parses; everything else (UUIDs, strings) as text; DuckDB casts text to the column's type.
     */
    static void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NULL);
        } else if (value instanceof BigDecimal d) {
            statement.setBigDecimal(index, d);
        } else if (value instanceof Number || value instanceof Boolean) {
            statement.setObject(index, value);
        } else if (value instanceof byte[] bytes) {
            statement.setBytes(index, bytes);
        } else if (value instanceof JsonNode || value instanceof Collection || value instanceof Map) {
            statement.setString(index, json(value));
        } else if (value instanceof TemporalAccessor t && TEMPORAL.containsKey(value.getClass())) {
            statement.setString(index, TEMPORAL.get(value.getClass()).format(t));
        } else {
            statement.setString(index, value.toString());
        }
    }

    private static String json(Object value) throws SQLException {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new SQLException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }
}
