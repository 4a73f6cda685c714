package io.pgreplication.camel.value;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** The text and binary forms of the scalar types of docs/types.md. */
final class Scalars {

    /**
     * Reads json and jsonb into a tree that keeps every number exactly: jsonb stores numbers as numeric, so a decimal
     * becomes a BigDecimal with its scale (never a double, trailing zeros kept) and a long integer a BigInteger. No
     * limit below the server's own applies: numbers, strings and names of any length, any nesting depth.
     */
    private static final ObjectReader JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNumberLength(Integer.MAX_VALUE)
                            .maxStringLength(Integer.MAX_VALUE)
                            .maxNameLength(Integer.MAX_VALUE)
                            .maxNestingDepth(Integer.MAX_VALUE)
                            .build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build()
            .readerFor(JsonNode.class);

    private Scalars() {
    }

    static String ascii(byte[] b, int offset, int length) {
        return new String(b, offset, length, StandardCharsets.ISO_8859_1);
    }

    /**
     * An int2, int4 or int8 text form ({@code -?[0-9]+}, which is all the server prints for them), parsed without a
     * String in between. Accumulates negatively so that the smallest int8 parses too.
     */
    static long integer(byte[] b, int offset, int length) {
        int i = offset;
        int end = offset + length;
        boolean negative = length > 0 && b[i] == '-';
        if (negative) {
            i++;
        }
        if (i == end || end - i > 19) {
            throw notInteger(b, offset, length);
        }
        long value = 0;
        for (; i < end; i++) {
            int digit = b[i] - '0';
            if (digit < 0 || digit > 9) {
                throw notInteger(b, offset, length);
            }
            long next = value * 10 - digit;
            if (value < Long.MIN_VALUE / 10 || next > value) {
                throw notInteger(b, offset, length);
            }
            value = next;
        }
        if (!negative && value == Long.MIN_VALUE) {
            throw notInteger(b, offset, length);
        }
        return negative ? value : -value;
    }

    private static NumberFormatException notInteger(byte[] b, int offset, int length) {
        return new NumberFormatException("Not an integer: '" + ascii(b, offset, length) + "'");
    }

    static String utf8(ByteBuffer b) {
        return new String(b.array(), b.arrayOffset() + b.position(), b.remaining(), StandardCharsets.UTF_8);
    }

    // ---- numeric

    static Object numericText(byte[] b, int offset, int length) {
        String s = ascii(b, offset, length);
        char first = s.charAt(0);
        // NaN, Infinity, -Infinity have no BigDecimal: they travel as their text (docs/types.md).
        if (first == 'N' || first == 'I' || (first == '-' && s.length() > 1 && s.charAt(1) == 'I')) {
            return s;
        }
        return new BigDecimal(s);
    }

    /**
     * {@code numeric_send}: Int16 digit count, Int16 weight (of the first base-10000 digit), Int16 sign, Int16 display
     * scale, then the base-10000 digits. The display scale gives the BigDecimal the scale the text form prints.
     */
    static Object numericBinary(ByteBuffer b) {
        int ndigits = b.getShort();
        int weight = b.getShort();
        int sign = b.getShort() & 0xffff;
        int dscale = b.getShort();
        switch (sign) {
            case 0xC000:
                return "NaN";
            case 0xD000:
                return "Infinity";
            case 0xF000:
                return "-Infinity";
            default:
                break;
        }
        if (ndigits == 0) {
            return BigDecimal.ZERO.setScale(dscale);
        }
        StringBuilder digits = new StringBuilder(ndigits * 4 + 1);
        if (sign == 0x4000) {
            digits.append('-');
        }
        for (int i = 0; i < ndigits; i++) {
            short d = b.getShort();
            if (i == 0) {
                digits.append(d);
            } else {
                digits.append((char) ('0' + d / 1000)).append((char) ('0' + d / 100 % 10))
                        .append((char) ('0' + d / 10 % 10)).append((char) ('0' + d % 10));
            }
        }
        // The last digit group stands for 10000^(weight - ndigits + 1).
        BigDecimal value = new BigDecimal(new BigInteger(digits.toString()), 4 * (ndigits - 1 - weight));
        return value.setScale(dscale);
    }

    // ---- others

    static Object bytea(byte[] b, int offset, int length) {
        // bytea_output=hex: a backslash and 'x', then two hex digits per byte.
        int n = (length - 2) / 2;
        int from = offset + 2;
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (Character.digit(b[from + 2 * i], 16) << 4 | Character.digit(b[from + 1 + 2 * i], 16));
        }
        return out;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static Object uuid(ByteBuffer b) {
        return new UUID(b.getLong(), b.getLong());
    }

    static Object json(byte[] b, int offset, int length) {
        try {
            return JSON.readTree(b, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("Invalid JSON value from the server", e);
        }
    }

    static Object jsonBinary(ByteBuffer b) {
        return json(b.array(), b.arrayOffset() + b.position(), b.remaining());
    }

    /** {@code jsonb_send}: a version byte (1), then the text form. */
    static Object jsonbBinary(ByteBuffer b) {
        byte version = b.get();
        if (version != 1) {
            throw new IllegalStateException("Unsupported jsonb binary version " + version);
        }
        return jsonBinary(b);
    }
}
