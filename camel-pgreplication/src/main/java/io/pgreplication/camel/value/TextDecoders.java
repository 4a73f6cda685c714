package io.pgreplication.camel.value;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Turns a column value in PostgreSQL's text output form into its Java value (SPEC §4), chosen once per column from
 * the type OID. The replication session runs with {@code DateStyle=ISO}, {@code TimeZone=UTC},
 * {@code IntervalStyle=iso_8601}, {@code bytea_output=hex} and {@code extra_float_digits=3}, which is what these
 * parsers expect. Types not handled here arrive as their text form.
 */
/** The text-mode decoders behind {@link TextValueDecoder#forType(int)}. */
final class TextDecoders {

    private TextDecoders() {
    }

    static final ObjectMapper JSON = new ObjectMapper();

    static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true).optionalEnd()
            .toFormatter();

    static final DateTimeFormatter TIMESTAMPTZ = new DateTimeFormatterBuilder()
            .append(TIMESTAMP)
            .appendOffset("+HH:mm", "Z")
            .toFormatter();

    static final TextValueDecoder STRING = bytes -> new String(bytes, StandardCharsets.UTF_8);

    static TextValueDecoder forType(int typeOid) {
        PgType type = PgType.of(typeOid);
        if (type == null) {
            return STRING;
        }
        switch (type) {
            case INT2:
                return b -> Short.valueOf(ascii(b));
            case INT4:
                return b -> Integer.valueOf(ascii(b));
            case INT8:
                return b -> Long.valueOf(ascii(b));
            case FLOAT4:
                return b -> Float.valueOf(ascii(b));
            case FLOAT8:
                return b -> Double.valueOf(ascii(b));
            case NUMERIC:
                return TextDecoders::numeric;
            case BOOL:
                return b -> b.length == 1 && b[0] == 't';
            case BYTEA:
                return TextDecoders::bytea;
            case UUID:
                return b -> UUID.fromString(ascii(b));
            case DATE:
                return b -> special(b, LocalDate::parse);
            case TIME:
                return b -> LocalTime.parse(ascii(b));
            case TIMESTAMP:
                return b -> {
                    LocalDateTime fast = IsoTimestamps.local(b);
                    return fast != null ? fast : special(b, s -> LocalDateTime.parse(s, TIMESTAMP));
                };
            case TIMESTAMPTZ:
                return b -> {
                    OffsetDateTime fast = IsoTimestamps.utc(b);
                    return fast != null ? fast : special(b, s -> OffsetDateTime.parse(s, TIMESTAMPTZ)
                            .withOffsetSameInstant(ZoneOffset.UTC));
                };
            case JSON:
            case JSONB:
                return TextDecoders::json;
            default:
                return STRING;
        }
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static Object numeric(byte[] b) {
        String s = ascii(b);
        char first = s.charAt(0);
        // NaN, Infinity, -Infinity have no BigDecimal: they travel as their text (SPEC §4).
        if (first == 'N' || first == 'I' || (first == '-' && s.length() > 1 && s.charAt(1) == 'I')) {
            return s;
        }
        return new BigDecimal(s);
    }

    /** {@code infinity} / {@code -infinity} (dates and timestamps) stay strings; everything else is parsed. */
    private static Object special(byte[] b, java.util.function.Function<String, Object> parser) {
        String s = ascii(b);
        if (s.endsWith("infinity")) {
            return s;
        }
        return parser.apply(s);
    }

    private static Object bytea(byte[] b) {
        // bytea_output=hex: "\x" then two hex digits per byte.
        int n = (b.length - 2) / 2;
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (Character.digit(b[2 + 2 * i], 16) << 4 | Character.digit(b[3 + 2 * i], 16));
        }
        return out;
    }

    private static Object json(byte[] b) {
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            throw new UncheckedIOException("Invalid JSON value from the server", e);
        }
    }

}
