package io.pgreplication.camel.event;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

/**
 * Writes a {@link ChangeEvent} in the shape docs/user-guide.md shows with any {@code ObjectMapper}, no modules needed: java.time values
 * as ISO-8601 strings, numeric as exact numbers, float NaN/Infinity as strings, bytea as base64, json as embedded JSON.
 */
public final class ChangeEventSerializer extends StdSerializer<ChangeEvent> {

    public ChangeEventSerializer() {
        super(ChangeEvent.class);
    }

    @Override
    public void serialize(ChangeEvent e, JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeStartObject();
        g.writeStringField("op", e.getOp());
        g.writeStringField("schema", e.getSchema());
        g.writeStringField("table", e.getTable());
        g.writeStringField("lsn", e.getLsn());
        g.writeStringField("commitLsn", e.getCommitLsn());
        if (e.getXid() == null) {
            g.writeNullField("xid");
            g.writeNullField("commitTime");
        } else {
            g.writeNumberField("xid", e.getXid());
            g.writeStringField("commitTime", e.getCommitTime());
        }
        writeRow(g, "key", e.getKey());
        writeRow(g, "before", e.getBefore());
        writeRow(g, "after", e.getAfter());
        List<String> toast = e.getUnchangedToast();
        if (toast != null && !toast.isEmpty()) {
            g.writeArrayFieldStart("unchangedToast");
            for (String column : toast) {
                g.writeString(column);
            }
            g.writeEndArray();
        }
        if (e.getOperation() == Operation.TRUNCATE) {
            g.writeBooleanField("cascade", e.isCascade());
            g.writeBooleanField("restartIdentity", e.isRestartIdentity());
        } else if (e.getOperation() == Operation.MESSAGE) {
            g.writeStringField("prefix", e.getPrefix());
            g.writeFieldName("content");
            g.writeBinary(e.getContent());
            g.writeBooleanField("transactional", e.isTransactional());
        }
        g.writeEndObject();
    }

    private static void writeRow(JsonGenerator g, String field, Map<String, Object> row) throws IOException {
        g.writeFieldName(field);
        if (row == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (Map.Entry<String, Object> column : row.entrySet()) {
            g.writeFieldName(column.getKey());
            writeValue(g, column.getValue());
        }
        g.writeEndObject();
    }

    /** One decoded column value (the JSON column of docs/types.md). */
    static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Short s) {
            g.writeNumber(s);
        } else if (v instanceof BigDecimal d) {
            // toPlainString keeps the exact digits without exponent notation.
            g.writeNumber(d.toPlainString());
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                g.writeString(d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
            } else {
                g.writeNumber(d);
            }
        } else if (v instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) {
                g.writeString(f.isNaN() ? "NaN" : f > 0 ? "Infinity" : "-Infinity");
            } else {
                g.writeNumber(f);
            }
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof byte[] bytes) {
            g.writeBinary(bytes);
        } else if (v instanceof JsonNode node) {
            writeJson(g, node);
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object element : list) {
                writeValue(g, element);
            }
            g.writeEndArray();
        } else if (v instanceof LocalDateTime t) {
            // ISO formatters always print seconds; toString() drops ":00".
            g.writeString(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t));
        } else if (v instanceof OffsetDateTime t) {
            g.writeString(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t));
        } else if (v instanceof LocalTime t) {
            g.writeString(DateTimeFormatter.ISO_LOCAL_TIME.format(t));
        } else if (v instanceof OffsetTime t) {
            g.writeString(DateTimeFormatter.ISO_OFFSET_TIME.format(t));
        } else {
            g.writeString(v.toString());
        }
    }

    /**
     * A json/jsonb value with its decimals in plain notation, as jsonb prints its numeric values: a plain
     * {@code writeTree} would print {@code 0.0000001} as {@code 1E-7}.
     */
    private static void writeJson(JsonGenerator g, JsonNode node) throws IOException {
        if (node.isBigDecimal()) {
            g.writeNumber(node.decimalValue().toPlainString());
        } else if (node.isObject()) {
            g.writeStartObject();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                g.writeFieldName(field.getKey());
                writeJson(g, field.getValue());
            }
            g.writeEndObject();
        } else if (node.isArray()) {
            g.writeStartArray();
            for (JsonNode element : node) {
                writeJson(g, element);
            }
            g.writeEndArray();
        } else {
            g.writeTree(node);
        }
    }
}
