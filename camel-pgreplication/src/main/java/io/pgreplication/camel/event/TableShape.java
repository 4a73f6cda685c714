package io.pgreplication.camel.event;

import java.util.ArrayList;
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
    private final ValueDecoder[] decoders;
    private final int[] keyIndexes;
    private final boolean delivered;

    public TableShape(PgOutputMessage.Relation relation, Map<Integer, String> typeNames, List<String> primaryKey,
               boolean delivered) {
        this(relation, typeNames, primaryKey, delivered, TypeLookup.NONE);
    }

    public TableShape(PgOutputMessage.Relation relation, Map<Integer, String> typeNames, List<String> primaryKey,
               boolean delivered, TypeLookup types) {
        List<PgOutputMessage.Column> columns = relation.columns();
        int n = columns.size();
        this.names = new String[n];
        this.decoders = new ValueDecoder[n];
        List<ColumnMetadata> described = new ArrayList<>(n);
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PgOutputMessage.Column c = columns.get(i);
            names[i] = c.name();
            // Tables filtered out are never decoded: no catalog look-ups for them.
            decoders[i] = delivered ? ValueDecoders.forType(c.typeOid(), types) : null;
            boolean key = primaryKey.isEmpty() ? c.key() : primaryKey.contains(c.name());
            if (key) {
                keys.add(i);
            }
            described.add(new ColumnMetadata(c.name(), typeName(c.typeOid(), typeNames), c.typeOid(), c.typeModifier(),
                    key));
        }
        this.keyIndexes = keys.stream().mapToInt(Integer::intValue).toArray();
        // An empty namespace is how pgoutput names pg_catalog.
        String schema = relation.namespace().isEmpty() ? "pg_catalog" : relation.namespace();
        this.metadata = new RelationMetadata(schema, relation.name(), relation.oid(),
                replicaIdentity(relation.replicaIdentity()), List.copyOf(described));
        this.delivered = delivered;
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
