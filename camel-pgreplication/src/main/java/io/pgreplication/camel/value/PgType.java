package io.pgreplication.camel.value;

import java.util.HashMap;
import java.util.Map;

/**
 * The built-in PostgreSQL types this component knows by OID (values from {@code pg_type.dat}, stable across
 * releases). pgoutput sends no names for built-in types; Type messages name the others.
 */
public enum PgType {
    BOOL(16, "boolean"),
    BYTEA(17, "bytea"),
    CHAR(18, "\"char\""),
    NAME(19, "name"),
    INT8(20, "bigint"),
    INT2(21, "smallint"),
    INT4(23, "integer"),
    TEXT(25, "text"),
    OID(26, "oid"),
    JSON(114, "json"),
    XML(142, "xml"),
    POINT(600, "point"),
    CIDR(650, "cidr"),
    FLOAT4(700, "real"),
    FLOAT8(701, "double precision"),
    MONEY(790, "money"),
    MACADDR(829, "macaddr"),
    INET(869, "inet"),
    BPCHAR(1042, "character"),
    VARCHAR(1043, "character varying"),
    DATE(1082, "date"),
    TIME(1083, "time without time zone"),
    TIMESTAMP(1114, "timestamp without time zone"),
    TIMESTAMPTZ(1184, "timestamp with time zone"),
    INTERVAL(1186, "interval"),
    TIMETZ(1266, "time with time zone"),
    BIT(1560, "bit"),
    VARBIT(1562, "bit varying"),
    NUMERIC(1700, "numeric"),
    UUID(2950, "uuid"),
    JSONB(3802, "jsonb");

    private static final Map<Integer, PgType> BY_OID = new HashMap<>();

    static {
        for (PgType t : values()) {
            BY_OID.put(t.oid, t);
        }
    }

    private final int oid;
    private final String typeName;

    PgType(int oid, String typeName) {
        this.oid = oid;
        this.typeName = typeName;
    }

    public int oid() {
        return oid;
    }

    public String typeName() {
        return typeName;
    }

    /** The built-in type with this OID, or null. */
    public static PgType of(int oid) {
        return BY_OID.get(oid);
    }
}
