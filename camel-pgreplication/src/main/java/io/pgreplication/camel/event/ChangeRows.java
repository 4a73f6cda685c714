package io.pgreplication.camel.event;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

/**
 * The body of a batch exchange with {@code outputFormat=rows} (dlt parity, docs/coming-from-dlt.md): one map per change holding the
 * row's columns ({@code after}; for a delete the old row as far as the server sent it, or at least its key) plus
 * {@code lsn} (Long, the change's WAL position) and, on deletes only, {@code deleted_ts} (the commit time as an
 * OffsetDateTime in UTC). Snapshot rows are their row plus {@code lsn}. Truncates are not rows and are left out, as dlt
 * does; messages ({@code messages=true}) become {@code {prefix, content, transactional, lsn}}.
 */
@JsonSerialize(using = ChangeRows.Serializer.class)
public final class ChangeRows extends AbstractList<Map<String, Object>> implements RandomAccess {

    /** The added column holding the change's WAL position. */
    public static final String LSN = "lsn";
    /** The added column holding a delete's commit time. */
    public static final String DELETED_TS = "deleted_ts";

    private final List<Map<String, Object>> rows;

    private ChangeRows(List<Map<String, Object>> rows) {
        this.rows = rows;
    }

    /** The rows of a batch's events, in order. */
    public static ChangeRows of(List<ChangeEvent> events) {
        List<Map<String, Object>> rows = new ArrayList<>(events.size());
        for (ChangeEvent e : events) {
            Map<String, Object> row = rowOf(e);
            if (row != null) {
                rows.add(row);
            }
        }
        return new ChangeRows(rows);
    }

    private static Map<String, Object> rowOf(ChangeEvent e) {
        Map<String, Object> row;
        switch (e.getOperation()) {
            case TRUNCATE:
                return null;
            case MESSAGE:
                row = new LinkedHashMap<>(8);
                row.put("prefix", e.getPrefix());
                row.put("content", e.getContent());
                row.put("transactional", e.isTransactional());
                break;
            case DELETE:
                row = new LinkedHashMap<>(e.getBefore() != null ? e.getBefore() : Map.of());
                // Under DEFAULT the old row is the key; with includeColumns leaving key columns out, add them back
                // so the sink can still find the row to delete.
                e.getKey().forEach(row::putIfAbsent);
                row.put(LSN, e.lsnValue());
                row.put(DELETED_TS, OffsetDateTime.ofInstant(e.commitInstant(), ZoneOffset.UTC));
                return row;
            default:
                row = new LinkedHashMap<>(e.getAfter());
                break;
        }
        row.put(LSN, e.lsnValue());
        return row;
    }

    @Override
    public Map<String, Object> get(int index) {
        return rows.get(index);
    }

    @Override
    public int size() {
        return rows.size();
    }

    /** Writes the rows as a JSON array with the value mapping of docs/types.md. */
    public static final class Serializer extends StdSerializer<ChangeRows> {

        public Serializer() {
            super(ChangeRows.class);
        }

        @Override
        public void serialize(ChangeRows rows, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartArray();
            for (Map<String, Object> row : rows) {
                g.writeStartObject();
                for (Map.Entry<String, Object> column : row.entrySet()) {
                    g.writeFieldName(column.getKey());
                    ChangeEventSerializer.writeValue(g, column.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }
}
