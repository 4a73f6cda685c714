package io.pgreplication.camel.value;

/**
 * What the catalog says about a type that is not built in (or an array of built-ins this component does not list):
 * enough to pick a decoder.
 *
 * @param oid         the type's OID
 * @param namespace   schema name
 * @param name        type name ({@code pg_type.typname})
 * @param kind        {@code pg_type.typtype}: {@code b} base, {@code c} composite, {@code d} domain, {@code e} enum,
 *                    {@code r} range, {@code m} multirange, {@code p} pseudo
 * @param category    {@code pg_type.typcategory}; {@code A} for arrays
 * @param baseType    the base type of a domain, else 0
 * @param elementType the element type of an array, else 0
 * @param delimiter   the array element delimiter of the type ({@code pg_type.typdelim}, ',' for all but box)
 * @param hasSend     whether the type has a binary send function (without one the server sends text even in binary
 *                    mode)
 */
public record TypeInfo(int oid, String namespace, String name, char kind, char category, int baseType,
        int elementType, char delimiter, boolean hasSend) {

    /** {@code name}, or {@code schema.name} outside pg_catalog. */
    public String qualifiedName() {
        return namespace.isEmpty() || "pg_catalog".equals(namespace) ? name : namespace + "." + name;
    }
}
