package io.pgreplication.camel.event;

import java.util.List;

/**
 * A published table's shape as of a batch: the value of the {@code CamelPgReplicationRelation} header.
 *
 * @param schema          schema name
 * @param table           table name
 * @param oid             the table's OID
 * @param replicaIdentity {@code default}, {@code nothing}, {@code full} or {@code index}
 * @param columns         the columns the server sends, in tuple order
 */
public record RelationMetadata(String schema, String table, int oid, String replicaIdentity,
        List<ColumnMetadata> columns) {

    /**
     * {@code schema.table}, the value of the {@code CamelPgReplicationTable} header; {@code messages} for the batches
     * of logical decoding messages, which belong to no table.
     */
    public String qualifiedName() {
        return schema.isEmpty() ? table : schema + "." + table;
    }

    /** The key columns, in table order. */
    public List<String> keyColumns() {
        return columns.stream().filter(ColumnMetadata::key).map(ColumnMetadata::name).toList();
    }
}
