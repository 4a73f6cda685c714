package io.pgreplication.camel.value;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IsoTimestampsTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theFastPathGivesWhatTheFormatterGives() {
        for (String s : new String[] {"2024-01-02 03:04:05", "2024-01-02 03:04:05.6", "2024-02-29 23:59:59.123456",
            "0001-01-01 00:00:00.000001", "9999-12-31 23:59:59.999999"}) {
            assertThat(IsoTimestamps.local(b(s))).as(s).isEqualTo(LocalDateTime.parse(s, TextDecoders.TIMESTAMP));
        }
        for (String s : new String[] {"2024-01-02 03:04:05+00", "2024-01-02 03:04:05.678+01",
            "2024-01-02 03:04:05.5-05:30", "2024-12-31 23:30:00-01"}) {
            OffsetDateTime slow = OffsetDateTime.parse(s, TextDecoders.TIMESTAMPTZ)
                    .withOffsetSameInstant(ZoneOffset.UTC);
            assertThat(IsoTimestamps.utc(b(s))).as(s).isEqualTo(slow);
        }
        // Local mean time offsets carry seconds (the formatter cannot read them).
        assertThat(IsoTimestamps.utc(b("1900-01-01 00:00:00+00:19:32")))
                .isEqualTo(OffsetDateTime.of(1899, 12, 31, 23, 40, 28, 0, ZoneOffset.UTC));
    }

    @Test
    void unusualFormsAreLeftToTheFormatter() {
        assertThat(IsoTimestamps.local(b("0044-03-15 00:00:00 BC"))).isNull();
        assertThat(IsoTimestamps.local(b("10000-01-01 00:00:00"))).isNull();
        assertThat(IsoTimestamps.local(b("infinity"))).isNull();
        assertThat(IsoTimestamps.utc(b("2024-01-02 03:04:05"))).isNull();
        assertThat(IsoTimestamps.utc(b("-infinity"))).isNull();
        assertThat(IsoTimestamps.local(b("2024-02-30 00:00:00"))).isNull();
    }

    @Test
    void textDecodersStillMapInfinityToItsText() {
        assertThat(TextValueDecoder.forType(PgType.TIMESTAMPTZ.oid()).decode(b("infinity"))).isEqualTo("infinity");
        assertThat(TextValueDecoder.forType(PgType.TIMESTAMPTZ.oid()).decode(b("2024-01-02 03:04:05+02")))
                .isEqualTo(OffsetDateTime.of(2024, 1, 2, 1, 4, 5, 0, ZoneOffset.UTC));
    }
}
