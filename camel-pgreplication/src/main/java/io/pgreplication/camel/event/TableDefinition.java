package io.pgreplication.camel.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.value.PgType;

/**
 * A published table as the server describes it, whoever asked: a Relation message while streaming, the catalog for a
 * snapshot. The neutral input of a {@link TableShape}, so the stream and the snapshot project rows the same way.
 *
 * @param oid             the table's OID
 * @param schema          its schema ({@code ""} for the message pseudo-table)
 * @param name            its name
 * @param replicaIdentity pgoutput's code: {@code d}efault, {@code n}othing, {@code f}ull or {@code i}ndex
 * @param columns         the published columns, in tuple order
 */
public record TableDefinition(int oid, String schema, String name, byte replicaIdentity, List<Column> columns) {

    /**
     * One published column.
     *
     * @param typeName     PostgreSQL's name of the type, or {@code oid:<n>} for a type nobody named
     * @param typeModifier {@code atttypmod}, -1 when none
     * @param key          part of the row's key
     */
    public record Column(String name, int typeOid, int typeModifier, boolean key, String typeName) {
    }

    /**
     * A Relation message's table. {@code typeNames} holds what Type messages named; {@code primaryKey}, when not
     * empty, decides the key columns instead of the message's flags (REPLICA IDENTITY FULL or NOTHING).
     */
    public static TableDefinition of(PgOutputMessage.Relation relation, Map<Integer, String> typeNames,
                                     List<String> primaryKey) {
        List<Column> columns = new ArrayList<>(relation.columns().size());
        for (PgOutputMessage.Column c : relation.columns()) {
            boolean key = primaryKey.isEmpty() ? c.key() : primaryKey.contains(c.name());
            columns.add(new Column(c.name(), c.typeOid(), c.typeModifier(), key, typeName(c.typeOid(), typeNames)));
        }
        return new TableDefinition(relation.oid(), relation.schema(), relation.name(), relation.replicaIdentity(),
                columns);
    }

    /** A type's name: built in, else as {@code named} has it (Type messages, the catalog), else {@code oid:<n>}. */
    public static String typeName(int oid, Map<Integer, String> named) {
        PgType builtIn = PgType.of(oid);
        if (builtIn != null) {
            return builtIn.typeName();
        }
        String name = named.get(oid);
        return name != null ? name : "oid:" + oid;
    }
}
