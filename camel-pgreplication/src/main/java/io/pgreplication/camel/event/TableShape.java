package io.pgreplication.camel.event;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.value.TypeLookup;
import io.pgreplication.camel.value.ValueDecoder;
import io.pgreplication.camel.value.ValueDecoders;

/**
 * The projection of one table's rows, for the stream and the snapshot alike, built once from its
 * {@link TableDefinition}: column names, a value decoder per column, the key columns, the {@code includeColumns}
 * projection and the public {@link RelationMetadata}. A new definition of the same table (DDL, reconnect) makes a new
 * shape, so a batch never mixes two shapes.
 */
public final class TableShape {

    private final RelationMetadata metadata;
    private final String[] names;
    /** Column position by name, shared by every row of this shape ({@link RowMap}). */
    private final Map<String, Integer> positions;
    private final ValueDecoder[] decoders;
    private final int[] keyIndexes;
    private final boolean delivered;
    /** includeColumns projection, computed once here: columns never decoded (null = none). */
    private final boolean[] skipped;
    /** Key columns outside includeColumns: decoded for the key, then removed from before/after (null = none). */
    private final int[] keyOnly;
    /** The columns not skipped, in table order: what a snapshot selects. */
    private final int[] selected;

    /**
     * @param delivered false when the {@code tables} option filters the table out: its values are never decoded
     * @param included  the includeColumns allow-list of this table, or null for all columns. The metadata then
     *                  describes the included columns plus the key columns (which travel in {@code key} regardless).
     * @param types     describes column types that are not built in (enums, domains, extension types, ...)
     */
    public TableShape(TableDefinition table, boolean delivered, List<String> included, TypeLookup types) {
        List<TableDefinition.Column> columns = table.columns();
        int n = columns.size();
        this.names = new String[n];
        this.decoders = new ValueDecoder[n];
        List<ColumnMetadata> described = new ArrayList<>(n);
        List<Integer> keys = new ArrayList<>();
        boolean[] skip = new boolean[n];
        List<Integer> keyOutside = new ArrayList<>();
        List<Integer> kept = new ArrayList<>(n);
        this.positions = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            TableDefinition.Column c = columns.get(i);
            names[i] = c.name();
            positions.put(c.name(), i);
            if (c.key()) {
                keys.add(i);
            }
            boolean listed = included == null || included.contains(c.name());
            if (!listed && c.key()) {
                keyOutside.add(i);
            }
            skip[i] = !listed && !c.key();
            if (!skip[i]) {
                kept.add(i);
                // Tables filtered out, and columns left out, are never decoded: no catalog look-ups for them.
                decoders[i] = delivered ? ValueDecoders.forType(c.typeOid(), types) : null;
                described.add(new ColumnMetadata(c.name(), c.typeName(), c.typeOid(), c.typeModifier(), c.key()));
            }
        }
        this.keyIndexes = toArray(keys);
        this.skipped = included == null ? null : skip;
        this.keyOnly = keyOutside.isEmpty() ? null : toArray(keyOutside);
        this.selected = toArray(kept);
        this.metadata = new RelationMetadata(table.schema(), table.name(), table.oid(),
                replicaIdentity(table.replicaIdentity()), List.copyOf(described));
        this.delivered = delivered;
    }

    /**
     * The pseudo-table of message batches ({@code messages=true}): no columns, OID 0, an empty schema, so the
     * {@code CamelPgReplicationTable} header reads {@code messages} (a real table always has a schema).
     */
    static TableShape messages() {
        return new TableShape(new TableDefinition(0, "", "messages", (byte) 'n', List.of()), true, null,
                TypeLookup.NONE);
    }

    public RelationMetadata metadata() {
        return metadata;
    }

    /** False when the {@code tables} option filters this table out. */
    public boolean delivered() {
        return delivered;
    }

    /** The names of the columns a snapshot reads: all but those includeColumns leaves out (key columns stay). */
    public List<String> selectedColumns() {
        List<String> out = new ArrayList<>(selected.length);
        for (int i : selected) {
            out.add(names[i]);
        }
        return out;
    }

    /** True when every selected column decodes exactly from its binary form (pgoutput's binary values, binary COPY). */
    public boolean selectedDecodeBinary() {
        for (int i : selected) {
            if (!decoders[i].decodesBinary()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A snapshot row as an event: {@code values} holds the {@link #selectedColumns()}' values as the server sent them
     * (null for SQL NULL), in their binary or text form.
     */
    public ChangeEvent snapshotEvent(byte[][] values, boolean binary, long consistentPoint) {
        RowMap row = new RowMap(this);
        for (int j = 0; j < selected.length; j++) {
            int i = selected[j];
            byte[] value = values[j];
            row.set(i, value == null ? null : binary ? decoders[i].decodeBinary(value) : decoders[i].decodeText(value));
        }
        Map<String, Object> key = keyOf(row);
        dropKeyOnly(row);
        return ChangeEvent.snapshot(metadata.schema(), metadata.table(), consistentPoint, key, row);
    }

    int columnCount() {
        return names.length;
    }

    String name(int column) {
        return names[column];
    }

    ValueDecoder decoder(int column) {
        return decoders[column];
    }

    /** True when includeColumns leaves this column out and it is not a key column: it is not even decoded. */
    boolean skipped(int column) {
        return skipped != null && skipped[column];
    }

    /** The position of column {@code name}, or -1. */
    int indexOf(Object name) {
        Integer position = positions.get(name);
        return position != null ? position : -1;
    }

    /** The key columns picked from a decoded row (the old row when the server sent one). */
    Map<String, Object> keyOf(RowMap row) {
        if (keyIndexes.length == 1) {
            return Collections.singletonMap(names[keyIndexes[0]], row.valueAt(keyIndexes[0]));
        }
        Map<String, Object> key = new LinkedHashMap<>(keyIndexes.length * 2);
        for (int i : keyIndexes) {
            key.put(names[i], row.valueAt(i));
        }
        return key;
    }

    /** Removes key columns that includeColumns does not list from a row, once its key has been taken. */
    void dropKeyOnly(RowMap row) {
        if (keyOnly != null && row != null) {
            for (int column : keyOnly) {
                row.unset(column);
            }
        }
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String replicaIdentity(byte code) {
        switch (code) {
            case 'n':
                return "nothing";
            case 'f':
                return "full";
            case 'i':
                return "index";
            default:
                return "default";
        }
    }
}
