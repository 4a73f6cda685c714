package io.pgreplication.camel.event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.value.PgType;
import io.pgreplication.camel.value.TypeLookup;
import io.pgreplication.camel.value.ValueDecoder;
import io.pgreplication.camel.value.ValueDecoders;

/**
 * Everything needed to turn tuples of one table into rows, built once per Relation message: column names, a value
 * decoder per column, the key columns and the public {@link RelationMetadata}. A new Relation message for the same
 * table (DDL, reconnect) makes a new shape, so a batch never mixes two shapes.
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

    public TableShape(PgOutputMessage.Relation relation, Map<Integer, String> typeNames, List<String> primaryKey,
               boolean delivered) {
        this(relation, typeNames, primaryKey, delivered, null, TypeLookup.NONE);
    }

    /**
     * @param included the includeColumns allow-list of this table, or null for all columns. The metadata then
     *                 describes the included columns plus the key columns (which travel in {@code key} regardless).
     * @param types    describes column types that are not built in (enums, domains, extension types, ...)
     */
    public TableShape(PgOutputMessage.Relation relation, Map<Integer, String> typeNames, List<String> primaryKey,
               boolean delivered, List<String> included, TypeLookup types) {
        this(relation, typeNames, primaryKey, delivered, included, types, null);
    }

    private TableShape(PgOutputMessage.Relation relation, Map<Integer, String> typeNames, List<String> primaryKey,
               boolean delivered, List<String> included, TypeLookup types, String schemaOverride) {
        List<PgOutputMessage.Column> columns = relation.columns();
        int n = columns.size();
        this.names = new String[n];
        this.decoders = new ValueDecoder[n];
        List<ColumnMetadata> described = new ArrayList<>(n);
        List<Integer> keys = new ArrayList<>();
        boolean[] skip = new boolean[n];
        List<Integer> keyOutside = new ArrayList<>();
        this.positions = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            PgOutputMessage.Column c = columns.get(i);
            names[i] = c.name();
            positions.put(c.name(), i);
            // Tables filtered out are never decoded: no catalog look-ups for them.
            decoders[i] = delivered ? ValueDecoders.forType(c.typeOid(), types) : null;
            boolean key = primaryKey.isEmpty() ? c.key() : primaryKey.contains(c.name());
            if (key) {
                keys.add(i);
            }
            boolean listed = included == null || included.contains(c.name());
            if (!listed && key) {
                keyOutside.add(i);
            }
            skip[i] = !listed && !key;
            if (!skip[i]) {
                described.add(new ColumnMetadata(c.name(), typeName(c.typeOid(), typeNames), c.typeOid(),
                        c.typeModifier(), key));
            }
        }
        this.keyIndexes = keys.stream().mapToInt(Integer::intValue).toArray();
        this.skipped = included == null ? null : skip;
        this.keyOnly = keyOutside.isEmpty() ? null : keyOutside.stream().mapToInt(Integer::intValue).toArray();
        // An empty namespace is how pgoutput names pg_catalog.
        String schema = schemaOverride != null ? schemaOverride
                : relation.namespace().isEmpty() ? "pg_catalog" : relation.namespace();
        this.metadata = new RelationMetadata(schema, relation.name(), relation.oid(),
                replicaIdentity(relation.replicaIdentity()), List.copyOf(described));
        this.delivered = delivered;
    }

    /**
     * The pseudo-table of message batches ({@code messages=true}): no columns, OID 0, an empty schema, so the
     * {@code CamelPgReplicationTable} header reads {@code messages} (a real table always has a schema).
     */
    static TableShape messages() {
        return new TableShape(new PgOutputMessage.Relation(0, 0, "-", "messages", (byte) 'n', List.of()), Map.of(),
                List.of(), true, null, TypeLookup.NONE, "");
    }

    public RelationMetadata metadata() {
        return metadata;
    }

    /** False when the {@code tables} option filters this table out. */
    public boolean delivered() {
        return delivered;
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

    int[] keyIndexes() {
        return keyIndexes;
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

    /** Removes key columns that includeColumns does not list from a row, once its key has been taken. */
    void dropKeyOnly(RowMap row) {
        if (keyOnly != null && row != null) {
            for (int column : keyOnly) {
                row.unset(column);
            }
        }
    }

    private static String typeName(int oid, Map<Integer, String> typeNames) {
        PgType builtIn = PgType.of(oid);
        if (builtIn != null) {
            return builtIn.typeName();
        }
        String named = typeNames.get(oid);
        return named != null ? named : "oid:" + oid;
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
