package io.pgreplication.camel.value;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static io.pgreplication.camel.value.ComparableValues.comparable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Decodes values captured from a real server (PostgreSQL 15.18, {@code src/test/resources/values/capture.py}): the
 * output function's text under the replication session's settings and the send function's bytes, which is exactly
 * what pgoutput sends in text and in binary mode.
 */
class CapturedValuesTest {

    record Captured(int oid, String sql, byte[] text, byte[] binary) {
        ValueDecoder decoder() {
            return ValueDecoders.forType(oid, TypeLookup.NONE);
        }

        Object fromText() {
            return decoder().decodeText(text);
        }

        Object fromBinary() {
            return decoder().decodeBinary(binary);
        }
    }

    static List<Captured> captured() throws IOException {
        List<Captured> out = new ArrayList<>();
        try (InputStream in = CapturedValuesTest.class.getResourceAsStream("/values/captured-values.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split("\t", -1);
                out.add(new Captured(Integer.parseInt(f[0]), f[1], HexFormat.of().parseHex(f[2]),
                        HexFormat.of().parseHex(f[3])));
            }
        }
        return out;
    }

    static Captured get(String sql) throws IOException {
        return captured().stream().filter(c -> c.sql().equals(sql)).findFirst()
                .orElseThrow(() -> new AssertionError("not captured: " + sql));
    }

    @Test
    void everyCapturedValueDecodesToTheSameJavaValueFromTextAndFromBinary() throws IOException {
        List<Captured> all = captured();
        assertThat(all).hasSizeGreaterThan(150);
        for (Captured c : all) {
            assertThat(c.decoder().decodesBinary()).as(c.sql()).isTrue();
            assertThat(comparable(c.fromBinary())).as(c.sql()).isEqualTo(comparable(c.fromText()));
        }
    }

    /** Streaming decodes values where they lie in the message: no decoder may read outside its slice. */
    @Test
    void everyCapturedValueDecodesTheSameInsideALargerArray() throws IOException {
        for (Captured c : captured()) {
            assertThat(comparable(c.decoder().decodeText(padded(c.text()), 7, c.text().length))).as(c.sql())
                    .isEqualTo(comparable(c.fromText()));
            assertThat(comparable(c.decoder().decodeBinary(padded(c.binary()), 7, c.binary().length))).as(c.sql())
                    .isEqualTo(comparable(c.fromBinary()));
        }
    }

    /** The value with 7 bytes of junk before it and 5 after: digits and braces, which a decoder might take in. */
    private static byte[] padded(byte[] value) {
        byte[] out = new byte[value.length + 12];
        Arrays.fill(out, (byte) '9');
        out[0] = '{';
        out[out.length - 1] = '}';
        System.arraycopy(value, 0, out, 7, value.length);
        return out;
    }

    @Test
    void integersFromTextRejectWhatTheServerNeverPrints() {
        ValueDecoder int8 = ValueDecoders.forType(PgType.INT8.oid(), TypeLookup.NONE);
        assertThat(int8.decodeText("-9223372036854775808".getBytes())).isEqualTo(Long.MIN_VALUE);
        assertThat(int8.decodeText("9223372036854775807".getBytes())).isEqualTo(Long.MAX_VALUE);
        assertThat(int8.decodeText("0".getBytes())).isEqualTo(0L);
        for (String bad : new String[] {"9223372036854775808", "-9223372036854775809", "", "-", "1x", "99999999999999999999"}) {
            assertThatThrownBy(() -> int8.decodeText(bad.getBytes())).as(bad).isInstanceOf(NumberFormatException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
        assertThat(ValueDecoders.forType(PgType.INT2.oid(), TypeLookup.NONE).decodeText("-32768".getBytes()))
                .isEqualTo((short) -32768);
    }

    @Test
    void binaryIntervalsPrintByteForByteWhatTheServerPrints() throws IOException {
        for (Captured c : captured()) {
            if (c.oid() == PgType.INTERVAL.oid()) {
                assertThat(c.fromBinary()).as(c.sql()).isEqualTo(new String(c.text(), StandardCharsets.US_ASCII));
            }
        }
        assertThat(get("('1 year 2 months 3 days 4 hours 5 minutes 6.5 seconds')::interval").fromBinary())
                .isEqualTo("P1Y2M3DT4H5M6.5S");
        assertThat(get("('0')::interval").fromBinary()).isEqualTo("PT0S");
        assertThat(get("('-0.5 seconds')::interval").fromBinary()).isEqualTo("PT-0.5S");
        assertThat(get("('1 mon -1 day 1 hour -1 minute 1 second')::interval").fromBinary()).isEqualTo("P1M-1DT59M1S");
    }

    @Test
    void numbersKeepTheirExactValueScaleAndSpecialValues() throws IOException {
        assertThat(get("(-32768)::int2").fromBinary()).isEqualTo((short) -32768);
        assertThat(get("(2147483647)::int4").fromBinary()).isEqualTo(Integer.MAX_VALUE);
        assertThat(get("(-9223372036854775808)::int8").fromBinary()).isEqualTo(Long.MIN_VALUE);
        assertThat(get("('NaN')::float4").fromBinary()).isEqualTo(Float.NaN);
        assertThat(get("('-Infinity')::float8").fromBinary()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(get("(898912.821982)::float8").fromBinary()).isEqualTo(898912.821982);
        assertThat(get("(0.1)::float4").fromText()).isEqualTo(0.1f);
        assertThat(get("(0.00)::numeric").fromBinary()).isEqualTo(new BigDecimal("0.00"));
        assertThat(get("(1.50)::numeric").fromBinary()).isEqualTo(new BigDecimal("1.50"));
        assertThat(get("(-0.000000001)::numeric").fromBinary()).isEqualTo(new BigDecimal("-0.000000001"));
        assertThat(get("(1e20)::numeric").fromBinary()).isEqualTo(new BigDecimal("100000000000000000000"));
        assertThat(get("(2323.34)::numeric(38,9)").fromBinary()).isEqualTo(new BigDecimal("2323.340000000"));
        assertThat(get("('NaN')::numeric").fromBinary()).isEqualTo("NaN");
        assertThat(get("('-Infinity')::numeric").fromBinary()).isEqualTo("-Infinity");
        BigDecimal thousandDigits = (BigDecimal) get("((repeat('9', 500) || '.' || repeat('1', 500))::numeric)::numeric")
                .fromBinary();
        assertThat(thousandDigits).isEqualTo(new BigDecimal("9".repeat(500) + "." + "1".repeat(500)));
        assertThat(thousandDigits.precision()).isEqualTo(1000);
    }

    @Test
    void textTypesBytesAndUuids() throws IOException {
        assertThat(get("('ab')::bpchar(5)").fromBinary()).isEqualTo("ab   ");
        assertThat(get("('string data \\n \\r \u008e 🦆')::text").fromBinary()).isEqualTo("string data \n \r \u008e 🦆");
        assertThat((byte[]) get("('\\x00ff10'::bytea)::bytea").fromBinary()).containsExactly(0x00, 0xff, 0x10);
        assertThat(get("(true)::bool").fromBinary()).isEqualTo(true);
        assertThat(get("('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')::uuid").fromBinary())
                .isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
    }

    @Test
    void datesAndTimesBecomeJavaTimeAndInfinitiesStayStrings() throws IOException {
        assertThat(get("('0044-03-15 BC')::date").fromBinary()).isEqualTo(LocalDate.of(-43, 3, 15));
        assertThat(get("('5874897-12-31')::date").fromBinary()).isEqualTo(LocalDate.of(5874897, 12, 31));
        assertThat(get("('-infinity')::date").fromBinary()).isEqualTo("-infinity");
        assertThat(get("('24:00:00')::time").fromBinary()).isEqualTo("24:00:00");
        assertThat(get("('12:00:00.5')::time").fromBinary()).isEqualTo(LocalTime.of(12, 0, 0, 500_000_000));
        assertThat(get("('13:26:45+05:30')::timetz").fromBinary())
                .isEqualTo(OffsetTime.of(13, 26, 45, 0, ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(get("('01:02:03.1+01:02:03')::timetz").fromBinary())
                .isEqualTo(OffsetTime.of(1, 2, 3, 100_000_000, ZoneOffset.ofHoursMinutesSeconds(1, 2, 3)));
        assertThat(get("('24:00:00+01')::timetz").fromBinary()).isEqualTo("24:00:00+01");
        assertThat(get("('1970-01-01 00:00:00.000001')::timestamp").fromBinary())
                .isEqualTo(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 1000));
        assertThat(get("('0044-03-15 12:00:00 BC')::timestamp").fromBinary())
                .isEqualTo(LocalDateTime.of(-43, 3, 15, 12, 0));
        assertThat(get("('2022-05-23 13:26:45+05:30')::timestamptz").fromBinary())
                .isEqualTo(OffsetDateTime.of(2022, 5, 23, 7, 56, 45, 0, ZoneOffset.UTC));
        assertThat(get("('infinity')::timestamptz").fromBinary()).isEqualTo("infinity");
    }

    @Test
    void arraysBecomeNestedListsWithNullsAndTheirElementValues() throws IOException {
        assertThat(get("('{1,2,NULL}')::int4[]").fromBinary()).isEqualTo(Arrays.asList(1, 2, null));
        assertThat(get("('{}')::int4[]").fromBinary()).isEqualTo(List.of());
        assertThat(get("('{{1,2},{3,4}}')::int4[]").fromBinary()).isEqualTo(List.of(List.of(1, 2), List.of(3, 4)));
        assertThat(get("('[0:1]={7,8}')::int4[]").fromText()).isEqualTo(List.of(7, 8));
        assertThat(get("('{\"a b\",\"c,d\",\"e\\\"f\",\"NULL\",NULL,\"\",\"{x}\",\"back\\\\slash\"}')::text[]")
                .fromText()).isEqualTo(Arrays.asList("a b", "c,d", "e\"f", "NULL", null, "", "{x}", "back\\slash"));
        assertThat(get("('{1.50,NaN,-3}')::numeric[]").fromBinary())
                .isEqualTo(List.of(new BigDecimal("1.50"), "NaN", new BigDecimal("-3")));
        assertThat(get("(ARRAY['1 day'::interval, '-1.5 seconds'])::interval[]").fromBinary())
                .isEqualTo(List.of("P1D", "PT-1.5S"));
    }

    @Test
    void jsonIsATreeFromJsonAndJsonb() throws IOException {
        // Decimals as BigDecimal with their stored scale: jsonb keeps numbers as numeric (1.50 stays 1.50).
        ObjectMapper mapper = ExactJson.MAPPER;
        assertThat(get("('{\"complex\":[1,2,3,\"a\"],\"n\":1.50,\"nested\":{\"x\":[null,true]}}')::jsonb").fromBinary())
                .isEqualTo(mapper.readTree("{\"complex\":[1,2,3,\"a\"],\"n\":1.50,\"nested\":{\"x\":[null,true]}}"));
        assertThat(get("('null')::json").fromBinary()).isEqualTo(mapper.readTree("null"));
    }

    @Test
    void otherBuiltInsAreTheirExactTextForm() throws IOException {
        Map<String, String> expected = Map.of(
                "('192.168.0.1')::inet", "192.168.0.1",
                "('2001:db8:0:0:1:0:0:1')::inet", "2001:db8::1:0:0:1",
                "('::ffff:1.2.3.4')::inet", "::ffff:1.2.3.4",
                "('10.0.0.1/32')::cidr", "10.0.0.1/32",
                "(B'1010000011')::bit(10)", "1010000011",
                "(4294967295)::oid", "4294967295",
                "('16/B374D848')::pg_lsn", "16/B374D848",
                "('\\200'::\"char\")::\"char\"", "\\200",
                "('08:00:2b:01:02:03')::macaddr", "08:00:2b:01:02:03");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertThat(get(e.getKey()).fromBinary()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void typesWithoutAnExactBinaryDecoderSayIt() {
        assertThat(ValueDecoders.forType(PgType.MONEY.oid(), TypeLookup.NONE).decodesBinary()).isFalse();
        assertThat(ValueDecoders.forType(PgType.POINT_ARRAY.oid(), TypeLookup.NONE).decodesBinary()).isFalse();
        TypeInfo composite = new TypeInfo(90001, "public", "pair", 'c', 'C', 0, 0, ',', true);
        TypeInfo enumType = new TypeInfo(90002, "public", "mood", 'e', 'E', 0, 0, ',', true);
        TypeInfo domain = new TypeInfo(90003, "public", "positive", 'd', 'N', PgType.INT4.oid(), 0, ',', true);
        TypeInfo domainArray = new TypeInfo(90004, "public", "_positive", 'b', 'A', 0, 90003, ',', true);
        TypeInfo noSend = new TypeInfo(90005, "public", "legacy", 'b', 'U', 0, 0, ',', false);
        Map<Integer, TypeInfo> catalog = Map.of(90001, composite, 90002, enumType, 90003, domain, 90004, domainArray,
                90005, noSend);
        TypeLookup lookup = catalog::get;
        assertThat(ValueDecoders.forType(90001, lookup).decodesBinary()).isFalse();
        assertThat(ValueDecoders.forType(90002, lookup).decodeBinary("happy".getBytes())).isEqualTo("happy");
        assertThat(ValueDecoders.forType(90003, lookup).decodeText("7".getBytes())).isEqualTo(7);
        assertThat(ValueDecoders.forType(90004, lookup).decodeText("{7,NULL}".getBytes()))
                .isEqualTo(Arrays.asList(7, null));
        TypeInfo int2vector = new TypeInfo(22, "pg_catalog", "int2vector", 'b', 'A', 0, 21, ',', true);
        assertThat(ValueDecoders.forType(22, oid -> int2vector).decodeText("1 2".getBytes())).isEqualTo("1 2");
        // Without a send function the server sends text even in binary mode: nothing to fall back for.
        assertThat(ValueDecoders.forType(90005, lookup).decodesBinary()).isTrue();
    }
}
