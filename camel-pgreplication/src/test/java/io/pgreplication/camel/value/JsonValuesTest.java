package io.pgreplication.camel.value;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * json and jsonb values keep every number exactly: jsonb stores numbers as numeric, and its text form (what pgoutput
 * and COPY send, and what its binary form wraps) prints them with every digit.
 */
class JsonValuesTest {

    private static final int JSON = 114;
    private static final int JSONB = 3802;

    @Test
    void aDecimalWiderThanADoubleKeepsEveryDigit() {
        JsonNode node = jsonb("12345678901234567890.12345678901234567890");
        assertThat(node.isBigDecimal()).isTrue();
        assertThat(node.decimalValue()).isEqualTo(new BigDecimal("12345678901234567890.12345678901234567890"));
    }

    @Test
    void aDecimalInsideAnObjectKeepsEveryDigit() {
        JsonNode node = jsonb("{\"big\": 0.1000000000000000055511151231257827}");
        assertThat(node.get("big").decimalValue()).isEqualTo(new BigDecimal("0.1000000000000000055511151231257827"));
    }

    @Test
    void trailingZerosAndScaleStayAsStored() {
        JsonNode node = jsonb("[1.50, 0.0000001, 100.0]");
        assertThat(node.get(0).decimalValue().toPlainString()).isEqualTo("1.50");
        assertThat(node.get(1).decimalValue().toPlainString()).isEqualTo("0.0000001");
        assertThat(node.get(2).decimalValue().toPlainString()).isEqualTo("100.0");
    }

    @Test
    void integersBeyondLongBecomeBigIntegers() {
        JsonNode node = jsonb("[9223372036854775807, 123456789012345678901234567890]");
        assertThat(node.get(0).longValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(node.get(1).bigIntegerValue()).isEqualTo(new BigInteger("123456789012345678901234567890"));
    }

    @Test
    void textAndBinaryFormsGiveTheSameTree() {
        String text = "{\"a\": [1, 2.50, -0.000000000000000000001], \"b\": 12345678901234567890123}";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] binary = new byte[utf8.length + 1];
        binary[0] = 1;
        System.arraycopy(utf8, 0, binary, 1, utf8.length);
        ValueDecoder decoder = ValueDecoders.forType(JSONB, TypeLookup.NONE);
        assertThat(decoder.decodeBinary(binary)).isEqualTo(decoder.decodeText(utf8));
        assertThat(ValueDecoders.forType(JSON, TypeLookup.NONE).decodeBinary(utf8)).isEqualTo(decoder.decodeText(utf8));
    }

    @Test
    void nothingTheServerAcceptsIsCutShortByParserLimits() {
        String longNumber = "1" + "0".repeat(5000) + ".5";
        assertThat(jsonb(longNumber).decimalValue()).isEqualTo(new BigDecimal(longNumber));
        String longString = "x".repeat(21_000_000);
        assertThat(jsonb("{\"s\": \"" + longString + "\"}").get("s").textValue()).hasSize(21_000_000);
        String longName = "k".repeat(60_000);
        assertThat(jsonb("{\"" + longName + "\": 1}").has(longName)).isTrue();
        int depth = 3000;
        JsonNode deep = jsonb("[".repeat(depth) + "]".repeat(depth));
        for (int i = 1; i < depth; i++) {
            deep = deep.get(0);
        }
        assertThat(deep.isArray()).isTrue();
    }

    private static JsonNode jsonb(String text) {
        return (JsonNode) ValueDecoders.forType(JSONB, TypeLookup.NONE).decodeText(text.getBytes(StandardCharsets.UTF_8));
    }
}
