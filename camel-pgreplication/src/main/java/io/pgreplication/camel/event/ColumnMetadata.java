package io.pgreplication.camel.event;

/**
 * One column of a published table as the server described it in its latest Relation message.
 *
 * @param name         column name
 * @param typeName     PostgreSQL type name ({@code integer}, {@code text}, an enum's name...), or {@code oid:<n>} for a
 *                     type the server did not name
 * @param typeOid      type OID
 * @param typeModifier {@code atttypmod} (e.g. varchar length + 4, numeric precision/scale), -1 when none
 * @param key          part of the row's key (see {@link ChangeEvent#getKey()})
 */
public record ColumnMetadata(String name, String typeName, int typeOid, int typeModifier, boolean key) {
}
