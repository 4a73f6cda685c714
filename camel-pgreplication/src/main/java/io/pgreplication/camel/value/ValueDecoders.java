package io.pgreplication.camel.value;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Picks the {@link ValueDecoder} of a type OID (SPEC §4). Built-in types and their arrays are known statically
 * ({@link PgType}); enums, domains, extension and composite types and arrays of them are described by the catalog
 * through a {@link TypeLookup}. Anything without a SPEC mapping is its text form as a String.
 */
public final class ValueDecoders {

    private static final int MAX_DOMAIN_DEPTH = 32;
    private static final int INT2VECTOR = 22;
    private static final int OIDVECTOR = 30;

    private ValueDecoders() {
    }

    /** A decoder for values of {@code typeOid}; {@code lookup} is asked only for OIDs that are not built in. */
    public static ValueDecoder forType(int typeOid, TypeLookup lookup) {
        return forType(typeOid, lookup, 0);
    }

    private static ValueDecoder forType(int oid, TypeLookup lookup, int depth) {
        PgType builtIn = PgType.of(oid);
        if (builtIn != null) {
            if (builtIn.elementOid() != 0) {
                return new ArrayDecoder(forType(builtIn.elementOid(), lookup, depth + 1), ',');
            }
            return builtIn(builtIn);
        }
        TypeInfo type = lookup.type(oid);
        if (type.kind() == 'd' && depth < MAX_DOMAIN_DEPTH) {
            // A domain's values are its base type's values.
            return forType(type.baseType(), lookup, depth + 1);
        }
        if (type.kind() == 'e') {
            // enum_send sends the label as text.
            return Simple.STRING;
        }
        if (type.category() == 'A' && type.elementType() != 0 && oid != INT2VECTOR && oid != OIDVECTOR) {
            // int2vector/oidvector print space-separated without braces: they stay strings.
            return new ArrayDecoder(forType(type.elementType(), lookup, depth + 1), type.delimiter());
        }
        if (type.kind() == 'b' && "citext".equals(type.name())) {
            // citext_send is text_send.
            return Simple.STRING;
        }
        // The text form as a String; their binary form is not reproduced, or the server sends text anyway.
        return type.hasSend() ? Simple.TEXT_ONLY : Simple.STRING;
    }

    private static ValueDecoder builtIn(PgType type) {
        switch (type) {
            case INT2:
                return new Simple(b -> Short.valueOf(Scalars.ascii(b)), ByteBuffer::getShort);
            case INT4:
                return new Simple(b -> Integer.valueOf(Scalars.ascii(b)), ByteBuffer::getInt);
            case INT8:
                return new Simple(b -> Long.valueOf(Scalars.ascii(b)), ByteBuffer::getLong);
            case FLOAT4:
                return new Simple(b -> Float.valueOf(Scalars.ascii(b)), ByteBuffer::getFloat);
            case FLOAT8:
                return new Simple(b -> Double.valueOf(Scalars.ascii(b)), ByteBuffer::getDouble);
            case NUMERIC:
                return new Simple(Scalars::numericText, Scalars::numericBinary);
            case BOOL:
                return new Simple(b -> b.length == 1 && b[0] == 't', b -> b.get() != 0);
            case BYTEA:
                return new Simple(Scalars::bytea, Scalars::bytes);
            case UUID:
                return new Simple(b -> java.util.UUID.fromString(Scalars.ascii(b)), Scalars::uuid);
            case DATE:
                return new Simple(b -> DateTimes.dateText(Scalars.ascii(b)), DateTimes::dateBinary);
            case TIME:
                return new Simple(b -> DateTimes.timeText(Scalars.ascii(b)), DateTimes::timeBinary);
            case TIMETZ:
                return new Simple(b -> DateTimes.timetzText(Scalars.ascii(b)), DateTimes::timetzBinary);
            case TIMESTAMP:
                return new Simple(b -> DateTimes.timestampText(Scalars.ascii(b)), DateTimes::timestampBinary);
            case TIMESTAMPTZ:
                return new Simple(b -> DateTimes.timestamptzText(Scalars.ascii(b)), DateTimes::timestamptzBinary);
            case INTERVAL:
                return new Simple(Scalars::ascii, Intervals::binary);
            case JSON:
                return new Simple(Scalars::json, Scalars::jsonBinary);
            case JSONB:
                return new Simple(Scalars::json, Scalars::jsonbBinary);
            case TEXT:
            case VARCHAR:
            case BPCHAR:
            case NAME:
            case XML:
                return Simple.STRING;
            case CHAR:
                return new Simple(Simple::utf8, TextForms::singleChar);
            case INET:
            case CIDR:
                return new Simple(Simple::utf8, TextForms::inet);
            case MACADDR:
            case MACADDR8:
                return new Simple(Simple::utf8, TextForms::macaddr);
            case BIT:
            case VARBIT:
                return new Simple(Simple::utf8, TextForms::bits);
            case OID:
                return new Simple(Simple::utf8, TextForms::oid);
            case PG_LSN:
                return new Simple(Simple::utf8, TextForms::lsn);
            default:
                // money (lc_monetary), point (float formatting): text only.
                return Simple.TEXT_ONLY;
        }
    }

    /** A scalar decoder from two functions; a null binary function means the binary form is not reproduced. */
    static final class Simple implements ValueDecoder {
        /** Text types whose send function sends the same text. */
        static final Simple STRING = new Simple(Simple::utf8, Scalars::utf8);
        /** A String in text form only. */
        static final Simple TEXT_ONLY = new Simple(Simple::utf8, null);

        private final Function<byte[], Object> text;
        private final Function<ByteBuffer, Object> binary;

        Simple(Function<byte[], Object> text, Function<ByteBuffer, Object> binary) {
            this.text = text;
            this.binary = binary;
        }

        static Object utf8(byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }

        @Override
        public Object decodeText(byte[] value) {
            return text.apply(value);
        }

        @Override
        public Object decodeBinary(byte[] value) {
            return decodeBinary(ByteBuffer.wrap(value));
        }

        Object decodeBinary(ByteBuffer value) {
            if (binary == null) {
                throw new IllegalStateException("This type's binary form is not decoded; the session streams it as"
                                                + " text");
            }
            return binary.apply(value);
        }

        @Override
        public boolean decodesBinary() {
            return binary != null;
        }
    }
}
