package io.pgreplication.camel.examples;

import java.math.BigDecimal;
import java.math.RoundingMode;
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
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.pgreplication.camel.event.ColumnMetadata;
import org.duckdb.DuckDBAppender;

/**
 * How {@link DuckDbSink} maps PostgreSQL columns to DuckDB: column types from the type name in the
 * {@code CamelPgReplicationRelation} header, values from the Java types the component delivers, either written by
 * DuckDB's appender into a staging column or as text DuckDB casts.
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
     * Binds one value. Numbers, booleans and bytes bind natively; everything else as its {@link #text} form, which
     * DuckDB casts to the column's type.
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
        } else {
            statement.setString(index, text(value));
        }
    }

    /**
     * A value as text DuckDB casts to the column's type: JSON, lists and maps as JSON; dates and times in the form
     * DuckDB parses; numbers without an exponent; everything else (UUIDs, strings, intervals...) as its string.
     */
    static String text(Object value) throws SQLException {
        if (value instanceof JsonNode || value instanceof Collection || value instanceof Map) {
            return json(value);
        } else if (value instanceof TemporalAccessor t && TEMPORAL.containsKey(value.getClass())) {
            return TEMPORAL.get(value.getClass()).format(t);
        } else if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return value.toString();
    }

    /**
     * How a column is staged for {@link DuckDbStage}: the type of its staging column and how DuckDB's appender writes a
     * value there. Types the appender writes natively take the component's Java value as it is; every other column is
     * staged as text and cast to the target's type by the merge.
     */
    interface StageColumn {
        String duckDbType();

        /** True for null and for values {@link #append} takes; others go through {@link #bind}. */
        boolean accepts(Object value);

        void append(DuckDBAppender appender, Object value) throws SQLException;
    }

    static StageColumn stageColumn(ColumnMetadata column) {
        String type = columnType(column);
        return switch (type) {
            case "SMALLINT" -> new Native(type, Short.class, (a, v) -> a.append((short) (Short) v));
            case "INTEGER" -> new Native(type, Integer.class, (a, v) -> a.append((int) (Integer) v));
            case "BIGINT" -> new Native(type, Long.class, (a, v) -> a.append((long) (Long) v));
            case "FLOAT" -> new Native(type, Float.class, (a, v) -> a.append((float) (Float) v));
            case "DOUBLE" -> new Native(type, Double.class, (a, v) -> a.append((double) (Double) v));
            case "BOOLEAN" -> new Native(type, Boolean.class, (a, v) -> a.append((boolean) (Boolean) v));
            case "DATE" -> new Native(type, LocalDate.class, (a, v) -> a.append((LocalDate) v));
            case "TIMESTAMP" -> new Native(type, LocalDateTime.class, (a, v) -> a.append((LocalDateTime) v));
            case "TIMESTAMPTZ" -> new Native(type, OffsetDateTime.class, (a, v) -> a.append((OffsetDateTime) v));
            case "UUID" -> new Native(type, UUID.class, (a, v) -> a.append((UUID) v));
            case "BLOB" -> new Native(type, byte[].class, (a, v) -> a.append((byte[]) v));
            default -> type.startsWith("DECIMAL(") ? new Decimal(type) : new Text();
        };
    }

    @FunctionalInterface
    private interface Appending {
        void append(DuckDBAppender appender, Object value) throws SQLException;
    }

    /** A column the appender writes from one Java type. */
    private record Native(String duckDbType, Class<?> javaType, Appending how) implements StageColumn {
        @Override
        public boolean accepts(Object value) {
            return value == null || value.getClass() == javaType;
        }

        @Override
        public void append(DuckDBAppender appender, Object value) throws SQLException {
            if (value == null) {
                appender.appendNull();
            } else {
                how.append(appender, value);
            }
        }
    }

    /**
     * DECIMAL(p,s): the appender wants exactly scale s. Values with more digits after the point (unconstrained numeric
     * into DECIMAL(38,9)) are rounded half away from zero, as DuckDB's own cast does.
     */
    private static final class Decimal implements StageColumn {
        private final String duckDbType;
        private final int precision;
        private final int scale;

        Decimal(String duckDbType) {
            String[] ps = duckDbType.substring("DECIMAL(".length(), duckDbType.length() - 1).split(",");
            this.duckDbType = duckDbType;
            this.precision = Integer.parseInt(ps[0].trim());
            this.scale = Integer.parseInt(ps[1].trim());
        }

        @Override
        public String duckDbType() {
            return duckDbType;
        }

        private BigDecimal scaled(BigDecimal d) {
            return d.scale() == scale ? d : d.setScale(scale, RoundingMode.HALF_UP);
        }

        @Override
        public boolean accepts(Object value) {
            return value == null || value instanceof BigDecimal d && scaled(d).precision() <= precision;
        }

        @Override
        public void append(DuckDBAppender appender, Object value) throws SQLException {
            if (value == null) {
                appender.appendNull();
            } else {
                appender.append(scaled((BigDecimal) value));
            }
        }
    }

    /** Any other column: its {@link #text} form, cast by the merge. */
    private static final class Text implements StageColumn {
        @Override
        public String duckDbType() {
            return "VARCHAR";
        }

        @Override
        public boolean accepts(Object value) {
            return !(value instanceof byte[]);
        }

        @Override
        public void append(DuckDBAppender appender, Object value) throws SQLException {
            if (value == null) {
                appender.appendNull();
            } else {
                appender.append(text(value));
            }
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
