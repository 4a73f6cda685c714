package io.pgreplication.camel.value;

/** Reads a type's description from the catalog ({@code pg_type}); injected so the value package does no I/O. */
@FunctionalInterface
public interface TypeLookup {

    /** The type with this OID; never null (a missing type is an error of the lookup). */
    TypeInfo type(int oid);

    /** A lookup for tests and callers without a catalog: fails for every OID. */
    TypeLookup NONE = oid -> {
        throw new IllegalStateException("No catalog lookup for type OID " + oid);
    };
}
