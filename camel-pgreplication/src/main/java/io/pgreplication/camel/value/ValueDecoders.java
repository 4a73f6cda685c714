package io.pgreplication.camel.value;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Picks the {@link ValueDecoder} of a type OID (docs/types.md). Built-in types and their arrays are known statically
 * ({@link PgType}); enums, domains, extension and composite types and arrays of them are described by the catalog
 * through a {@link TypeLookup}. Anything without a mapping there is its text form as a String.
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
                return new Simple((b, o, n) -> (short) Scalars.integer(b, o, n), ByteBuffer::getShort);
            case INT4:
                return new Simple((b, o, n) -> (int) Scalars.integer(b, o, n), ByteBuffer::getInt);
            case INT8:
                return new Simple(Scalars::integer, ByteBuffer::getLong);
            case FLOAT4:
                return Simple.ascii(Float::valueOf, ByteBuffer::getFloat);
            case FLOAT8:
                return Simple.ascii(Double::valueOf, ByteBuffer::getDouble);
            case NUMERIC:
                return new Simple(Scalars::numericText, Scalars::numericBinary);
            case BOOL:
                return new Simple((b, o, n) -> n == 1 && b[o] == 't', b -> b.get() != 0);
            case BYTEA:
                return new Simple(Scalars::bytea, Scalars::bytes);
            case UUID:
                return Simple.ascii(java.util.UUID::fromString, Scalars::uuid);
            case DATE:
                return Simple.ascii(DateTimes::dateText, DateTimes::dateBinary);
            case TIME:
                return Simple.ascii(DateTimes::timeText, DateTimes::timeBinary);
            case TIMETZ:
                return Simple.ascii(DateTimes::timetzText, DateTimes::timetzBinary);
            case TIMESTAMP:
                return Simple.ascii(DateTimes::timestampText, DateTimes::timestampBinary);
            case TIMESTAMPTZ:
                return Simple.ascii(DateTimes::timestamptzText, DateTimes::timestamptzBinary);
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

        /** A text form decoder reading {@code length} bytes of {@code data} at {@code offset}. */
        @FunctionalInterface
        interface Text {
            Object decode(byte[] data, int offset, int length);
        }

        private final Text text;
        private final Function<ByteBuffer, Object> binary;

        Simple(Text text, Function<ByteBuffer, Object> binary) {
            this.text = text;
            this.binary = binary;
        }

        /** A type whose text form is ASCII and parsed from a String. */
        static Simple ascii(Function<String, Object> parse, Function<ByteBuffer, Object> binary) {
            return new Simple((b, offset, length) -> parse.apply(Scalars.ascii(b, offset, length)), binary);
        }

        static Object utf8(byte[] b, int offset, int length) {
            return new String(b, offset, length, StandardCharsets.UTF_8);
        }

        @Override
        public Object decodeText(byte[] value) {
            return text.decode(value, 0, value.length);
        }

        @Override
        public Object decodeText(byte[] data, int offset, int length) {
            return text.decode(data, offset, length);
        }

        @Override
        public Object decodeBinary(byte[] value) {
            return decodeBinary(ByteBuffer.wrap(value));
        }

        @Override
        public Object decodeBinary(byte[] data, int offset, int length) {
            return decodeBinary(ByteBuffer.wrap(data, offset, length));
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
