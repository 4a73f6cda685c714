package io.pgreplication.camel.snapshot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.admin.SnapshotQueries;
import io.pgreplication.camel.admin.TableCatalog;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import io.pgreplication.camel.event.TableShape;
import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeLookup;
import io.pgreplication.camel.value.ValueDecoder;
import io.pgreplication.camel.value.ValueDecoders;

/**
 * One published table as the snapshot reads it: the columns to select (the published ones allowed by
 * {@code includeColumns}, plus the key columns), a decoder per column chosen by type OID as streaming does (binary
 * COPY when every column decodes exactly from its send form, like pgoutput's binary values; otherwise text COPY, the
 * type's output function, like pgoutput's text values), and the relation metadata a streamed batch of the same table
 * would carry. Immutable; shared by the workers.
 */
final class SnapshotTable {

    private final TableCatalog.PublishedTable published;
    private final RelationMetadata metadata;
    private final List<String> selected;
    private final String[] names;
    private final ValueDecoder[] decoders;
    private final boolean binary;
    private final boolean[] inAfter;
    private final int[] keyIndexes;
    private final int afterSize;

    SnapshotTable(TableCatalog.PublishedTable published, IncludeColumns includeColumns, TypeLookup types) {
        this.published = published;
        List<PgOutputMessage.Column> columns = new ArrayList<>();
        for (TableCatalog.Column c : published.columns()) {
            columns.add(new PgOutputMessage.Column(c.key(), c.name(), c.typeOid(), c.typeModifier()));
        }
        TableSpec t = published.table();
        // The shape a Relation message would give: same metadata (header) as the streamed batches of this table.
        PgOutputMessage.Relation relation = new PgOutputMessage.Relation(0, published.oid(), t.schema(), t.table(),
                published.replicaIdentity(), columns);
        List<String> allowed = includeColumns.columnsOf(t.schema(), t.table());
        this.metadata = new TableShape(relation, published.typeNames(), List.of(), true, allowed, types).metadata();
        List<String> select = new ArrayList<>();
        List<ValueDecoder> decoderList = new ArrayList<>();
        List<Boolean> after = new ArrayList<>();
        List<Integer> keys = new ArrayList<>();
        for (TableCatalog.Column c : published.columns()) {
            boolean included = allowed == null || allowed.contains(c.name());
            if (!included && !c.key()) {
                continue;
            }
            if (c.key()) {
                keys.add(select.size());
            }
            select.add(c.name());
            decoderList.add(ValueDecoders.forType(c.typeOid(), types));
            after.add(included);
        }
        this.selected = List.copyOf(select);
        this.names = select.toArray(new String[0]);
        this.decoders = decoderList.toArray(new ValueDecoder[0]);
        this.binary = decoderList.stream().allMatch(ValueDecoder::decodesBinary);
        this.inAfter = new boolean[after.size()];
        int n = 0;
        for (int i = 0; i < inAfter.length; i++) {
            inAfter[i] = after.get(i);
            n += inAfter[i] ? 1 : 0;
        }
        this.afterSize = n;
        this.keyIndexes = keys.stream().mapToInt(Integer::intValue).toArray();
    }

    RelationMetadata metadata() {
        return metadata;
    }

    TableSpec table() {
        return published.table();
    }

    /** The relations holding the rows: the table, or the leaf partitions of a partitioned table. */
    List<TableSpec> sources() {
        return published.sources();
    }

    String copyStatement(TableSpec source, long fromPage, long toPage) {
        return SnapshotQueries.copyStatement(source, selected, published.rowFilter(), fromPage, toPage, binary);
    }

    /**
     * True when every selected column decodes exactly from its binary form: the table is then read with binary COPY,
     * whose values are the same send-function bytes pgoutput's binary mode carries (cheaper to decode than text).
     */
    boolean binary() {
        return binary;
    }

    int columnCount() {
        return names.length;
    }

    /** The snapshot event of one COPY row, split into {@code values} (binary or text as {@link #binary()} says). */
    ChangeEvent event(byte[][] values, long consistentPoint) {
        Map<String, Object> after = new LinkedHashMap<>(afterSize * 2);
        Object[] decoded = keyIndexes.length == 0 ? null : new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            byte[] value = values[i];
            Object v = value == null ? null : binary ? decoders[i].decodeBinary(value) : decoders[i].decodeText(value);
            if (inAfter[i]) {
                after.put(names[i], v);
            }
            if (decoded != null) {
                decoded[i] = v;
            }
        }
        Map<String, Object> key;
        if (keyIndexes.length == 1) {
            key = Collections.singletonMap(names[keyIndexes[0]], decoded[keyIndexes[0]]);
        } else {
            key = new LinkedHashMap<>(keyIndexes.length * 2);
            for (int i : keyIndexes) {
                key.put(names[i], decoded[i]);
            }
        }
        return ChangeEvent.snapshot(metadata.schema(), metadata.table(), consistentPoint, key, after);
    }
}
