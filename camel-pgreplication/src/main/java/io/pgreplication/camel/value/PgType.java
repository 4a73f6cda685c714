package io.pgreplication.camel.value;

import java.util.HashMap;
import java.util.Map;

/**
 * The built-in PostgreSQL types this component knows by OID (values from {@code pg_type.dat}, stable across
 * releases), and their array types. pgoutput sends no names for built-in types; other types (enums, domains,
 * extension and composite types, arrays of them, built-ins not listed here) are looked up in the catalog.
 */
public enum PgType {
    BOOL(16, "boolean", 0),
    BYTEA(17, "bytea", 0),
    CHAR(18, "\"char\"", 0),
    NAME(19, "name", 0),
    INT8(20, "bigint", 0),
    INT2(21, "smallint", 0),
    INT4(23, "integer", 0),
    TEXT(25, "text", 0),
    OID(26, "oid", 0),
    JSON(114, "json", 0),
    XML(142, "xml", 0),
    POINT(600, "point", 0),
    CIDR(650, "cidr", 0),
    FLOAT4(700, "real", 0),
    FLOAT8(701, "double precision", 0),
    MACADDR8(774, "macaddr8", 0),
    MONEY(790, "money", 0),
    MACADDR(829, "macaddr", 0),
    INET(869, "inet", 0),
    BPCHAR(1042, "character", 0),
    VARCHAR(1043, "character varying", 0),
    DATE(1082, "date", 0),
    TIME(1083, "time without time zone", 0),
    TIMESTAMP(1114, "timestamp without time zone", 0),
    TIMESTAMPTZ(1184, "timestamp with time zone", 0),
    INTERVAL(1186, "interval", 0),
    TIMETZ(1266, "time with time zone", 0),
    BIT(1560, "bit", 0),
    VARBIT(1562, "bit varying", 0),
    NUMERIC(1700, "numeric", 0),
    UUID(2950, "uuid", 0),
    PG_LSN(3220, "pg_lsn", 0),
    JSONB(3802, "jsonb", 0),
    BOOL_ARRAY(1000, "boolean[]", 16),
    BYTEA_ARRAY(1001, "bytea[]", 17),
    CHAR_ARRAY(1002, "\"char\"[]", 18),
    NAME_ARRAY(1003, "name[]", 19),
    INT8_ARRAY(1016, "bigint[]", 20),
    INT2_ARRAY(1005, "smallint[]", 21),
    INT4_ARRAY(1007, "integer[]", 23),
    TEXT_ARRAY(1009, "text[]", 25),
    OID_ARRAY(1028, "oid[]", 26),
    JSON_ARRAY(199, "json[]", 114),
    XML_ARRAY(143, "xml[]", 142),
    POINT_ARRAY(1017, "point[]", 600),
    CIDR_ARRAY(651, "cidr[]", 650),
    FLOAT4_ARRAY(1021, "real[]", 700),
    FLOAT8_ARRAY(1022, "double precision[]", 701),
    MACADDR8_ARRAY(775, "macaddr8[]", 774),
    MONEY_ARRAY(791, "money[]", 790),
    MACADDR_ARRAY(1040, "macaddr[]", 829),
    INET_ARRAY(1041, "inet[]", 869),
    BPCHAR_ARRAY(1014, "character[]", 1042),
    VARCHAR_ARRAY(1015, "character varying[]", 1043),
    DATE_ARRAY(1182, "date[]", 1082),
    TIME_ARRAY(1183, "time without time zone[]", 1083),
    TIMESTAMP_ARRAY(1115, "timestamp without time zone[]", 1114),
    TIMESTAMPTZ_ARRAY(1185, "timestamp with time zone[]", 1184),
    INTERVAL_ARRAY(1187, "interval[]", 1186),
    TIMETZ_ARRAY(1270, "time with time zone[]", 1266),
    BIT_ARRAY(1561, "bit[]", 1560),
    VARBIT_ARRAY(1563, "bit varying[]", 1562),
    NUMERIC_ARRAY(1231, "numeric[]", 1700),
    UUID_ARRAY(2951, "uuid[]", 2950),
    PG_LSN_ARRAY(3221, "pg_lsn[]", 3220),
    JSONB_ARRAY(3807, "jsonb[]", 3802);

    private static final Map<Integer, PgType> BY_OID = new HashMap<>();

    static {
        for (PgType t : values()) {
            BY_OID.put(t.oid, t);
        }
    }

    private final int oid;
    private final String typeName;
    private final int elementOid;

    PgType(int oid, String typeName, int elementOid) {
        this.oid = oid;
        this.typeName = typeName;
        this.elementOid = elementOid;
    }

    public int oid() {
        return oid;
    }

    public String typeName() {
        return typeName;
    }

    /** The element type's OID for an array type, 0 otherwise. */
    public int elementOid() {
        return elementOid;
    }

    /** The built-in type with this OID, or null. */
    public static PgType of(int oid) {
        return BY_OID.get(oid);
    }
}
