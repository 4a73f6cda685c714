package io.pgreplication.camel.value;

import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * Dates and times in both forms. Text is PostgreSQL's ISO output in UTC ({@code 2022-05-23 13:26:45.176451+00},
 * {@code 0044-03-15 BC}); binary is days or microseconds since 2000-01-01 ({@code date_send}, {@code timestamp_send},
 * {@code time_send}, {@code timetz_send}). {@code infinity}, {@code -infinity} and the time {@code 24:00:00}, which
 * java.time cannot hold, stay strings exactly as the text form spells them.
 */
final class DateTimes {

    private static final LocalDate EPOCH = LocalDate.of(2000, 1, 1);
    private static final LocalDateTime EPOCH_TIME = EPOCH.atStartOfDay();
    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private DateTimes() {
    }

    // ---- text

    static Object dateText(String s) {
        if (s.endsWith("infinity")) {
            return s;
        }
        return date(s, 0, s.length(), s.endsWith(" BC"));
    }

    static Object timestampText(String s) {
        if (s.endsWith("infinity")) {
            return s;
        }
        int space = s.indexOf(' ', 1);
        LocalDate date = date(s, 0, space, s.endsWith(" BC"));
        int end = s.endsWith(" BC") ? s.length() - 3 : s.length();
        return date.atTime(time(s, space + 1, end));
    }

    static Object timestamptzText(String s) {
        if (s.endsWith("infinity")) {
            return s;
        }
        boolean bc = s.endsWith(" BC");
        int end = bc ? s.length() - 3 : s.length();
        int space = s.indexOf(' ', 1);
        int sign = offsetStart(s, space + 1, end);
        LocalDateTime local = date(s, 0, space, bc).atTime(time(s, space + 1, sign));
        ZoneOffset offset = offset(s, sign, end);
        return OffsetDateTime.of(local, offset).withOffsetSameInstant(ZoneOffset.UTC);
    }

    static Object timeText(String s) {
        if (s.startsWith("24:")) {
            return s;
        }
        return time(s, 0, s.length());
    }

    static Object timetzText(String s) {
        int sign = offsetStart(s, 0, s.length());
        if (s.startsWith("24:")) {
            return s;
        }
        return OffsetTime.of(time(s, 0, sign), offset(s, sign, s.length()));
    }

    private static LocalDate date(String s, int from, int to, boolean bc) {
        int dash = s.indexOf('-', from + 1);
        int year = Integer.parseInt(s, from, dash, 10);
        int month = Integer.parseInt(s, dash + 1, dash + 3, 10);
        int day = Integer.parseInt(s, dash + 4, dash + 6, 10);
        // 1 BC is ISO year 0.
        return LocalDate.of(bc ? 1 - year : year, month, day);
    }

    /** HH:MM:SS[.ffffff] */
    private static LocalTime time(String s, int from, int to) {
        int hour = Integer.parseInt(s, from, from + 2, 10);
        int minute = Integer.parseInt(s, from + 3, from + 5, 10);
        int second = Integer.parseInt(s, from + 6, from + 8, 10);
        int nanos = 0;
        if (to > from + 8) {
            int digits = to - from - 9;
            nanos = Integer.parseInt(s, from + 9, to, 10);
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        return LocalTime.of(hour, minute, second, nanos);
    }

    private static int offsetStart(String s, int from, int to) {
        for (int i = to - 1; i > from; i--) {
            char c = s.charAt(i);
            if (c == '+' || c == '-') {
                return i;
            }
        }
        throw new IllegalArgumentException("No UTC offset in time value '" + s + "'");
    }

    /** +HH[:MM[:SS]] */
    private static ZoneOffset offset(String s, int from, int to) {
        int sign = s.charAt(from) == '-' ? -1 : 1;
        int hours = Integer.parseInt(s, from + 1, from + 3, 10);
        int minutes = to >= from + 6 ? Integer.parseInt(s, from + 4, from + 6, 10) : 0;
        int seconds = to >= from + 9 ? Integer.parseInt(s, from + 7, from + 9, 10) : 0;
        int total = sign * (hours * 3600 + minutes * 60 + seconds);
        // The session runs with TimeZone=UTC: skip the offset cache's boxed look-up for the common case.
        return total == 0 ? ZoneOffset.UTC : ZoneOffset.ofTotalSeconds(total);
    }

    // ---- binary

    static Object dateBinary(ByteBuffer b) {
        int days = b.getInt();
        if (days == Integer.MAX_VALUE) {
            return "infinity";
        }
        if (days == Integer.MIN_VALUE) {
            return "-infinity";
        }
        return EPOCH.plusDays(days);
    }

    static Object timestampBinary(ByteBuffer b) {
        long micros = b.getLong();
        if (micros == Long.MAX_VALUE) {
            return "infinity";
        }
        if (micros == Long.MIN_VALUE) {
            return "-infinity";
        }
        long days = Math.floorDiv(micros, MICROS_PER_DAY);
        long inDay = Math.floorMod(micros, MICROS_PER_DAY);
        return EPOCH_TIME.plusDays(days).plusNanos(inDay * 1000);
    }

    static Object timestamptzBinary(ByteBuffer b) {
        Object local = timestampBinary(b);
        return local instanceof LocalDateTime t ? t.atOffset(ZoneOffset.UTC) : local;
    }

    static Object timeBinary(ByteBuffer b) {
        long micros = b.getLong();
        if (micros == MICROS_PER_DAY) {
            return "24:00:00";
        }
        return LocalTime.ofNanoOfDay(micros * 1000);
    }

    static Object timetzBinary(ByteBuffer b) {
        long micros = b.getLong();
        // timetz_send gives the zone in seconds west of UTC.
        int west = b.getInt();
        if (micros == MICROS_PER_DAY) {
            return "24:00:00" + offsetText(-west);
        }
        return OffsetTime.of(LocalTime.ofNanoOfDay(micros * 1000), ZoneOffset.ofTotalSeconds(-west));
    }

    /** An offset as PostgreSQL prints it: {@code +05}, {@code -03:30}, {@code +01:02:03}. */
    private static String offsetText(int totalSeconds) {
        int abs = Math.abs(totalSeconds);
        StringBuilder out = new StringBuilder(totalSeconds < 0 ? "-" : "+");
        two(out, abs / 3600);
        if (abs % 3600 != 0) {
            two(out.append(':'), abs / 60 % 60);
            if (abs % 60 != 0) {
                two(out.append(':'), abs % 60);
            }
        }
        return out.toString();
    }

    private static void two(StringBuilder out, int n) {
        out.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }
}
