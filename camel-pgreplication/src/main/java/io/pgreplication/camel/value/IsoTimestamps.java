package io.pgreplication.camel.value;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A fast path for the timestamps PostgreSQL prints under {@code DateStyle=ISO}: {@code YYYY-MM-DD HH:MM:SS[.f{1,6}]}
 * and, for timestamptz, an offset {@code ±HH[:MM[:SS]]}. java.time's formatter costs microseconds per value, which
 * dominated snapshot decoding; this reads the digits directly. Anything else (BC dates, years past 9999) returns null
 * and the caller uses the formatter.
 */
final class IsoTimestamps {

    private IsoTimestamps() {
    }

    /** A timestamp without time zone, or null when not in the common form. */
    static LocalDateTime local(byte[] b) {
        int end = localEnd(b);
        return end == b.length ? localDateTime(b, end) : null;
    }

    /** A timestamptz converted to UTC, or null when not in the common form. */
    static OffsetDateTime utc(byte[] b) {
        int end = localEnd(b);
        if (end < 0 || end >= b.length) {
            return null;
        }
        byte sign = b[end];
        int n = b.length - end;
        if ((sign != '+' && sign != '-') || (n != 3 && n != 6 && n != 9)) {
            return null;
        }
        int hours = two(b, end + 1);
        int minutes = n >= 6 && b[end + 3] == ':' ? two(b, end + 4) : (n >= 6 ? -1 : 0);
        int seconds = n == 9 && b[end + 6] == ':' ? two(b, end + 7) : (n == 9 ? -1 : 0);
        if (hours < 0 || minutes < 0 || seconds < 0) {
            return null;
        }
        LocalDateTime local = localDateTime(b, end);
        if (local == null) {
            return null;
        }
        int total = (hours * 3600 + minutes * 60 + seconds) * (sign == '-' ? -1 : 1);
        if (total == 0) {
            return OffsetDateTime.of(local, ZoneOffset.UTC);
        }
        return OffsetDateTime.of(local, ZoneOffset.ofTotalSeconds(total)).withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** Where the date-time part ends (after the fraction), or -1 when the fixed part is not there. */
    private static int localEnd(byte[] b) {
        if (b.length < 19 || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':') {
            return -1;
        }
        int i = 19;
        if (i < b.length && b[i] == '.') {
            i++;
            int start = i;
            while (i < b.length && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            if (i == start || i - start > 6) {
                return -1;
            }
        }
        return i;
    }

    private static LocalDateTime localDateTime(byte[] b, int end) {
        int year = two(b, 0) * 100 + two(b, 2);
        int month = two(b, 5);
        int day = two(b, 8);
        int hour = two(b, 11);
        int minute = two(b, 14);
        int second = two(b, 17);
        if (two(b, 0) < 0 || two(b, 2) < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        int nanos = 0;
        if (end > 19) {
            int digits = 0;
            for (int i = 20; i < end; i++, digits++) {
                nanos = nanos * 10 + (b[i] - '0');
            }
            for (; digits < 9; digits++) {
                nanos *= 10;
            }
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** Two decimal digits at {@code i}, or -1. */
    private static int two(byte[] b, int i) {
        int h = b[i] - '0';
        int l = b[i + 1] - '0';
        return h < 0 || h > 9 || l < 0 || l > 9 ? -1 : h * 10 + l;
    }
}
