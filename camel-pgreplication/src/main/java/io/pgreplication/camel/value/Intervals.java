package io.pgreplication.camel.value;

import java.nio.ByteBuffer;

/**
 * Prints a binary interval ({@code interval_send}: Int64 microseconds, Int32 days, Int32 months) exactly as
 * PostgreSQL prints it with {@code IntervalStyle=iso_8601}, so text and binary mode give the same string: the same
 * split into fields (C truncation, each field keeps its own sign), {@code PT0S} for zero, a minus before the seconds
 * when they or their fraction are negative, and the fraction without trailing zeros.
 */
final class Intervals {

    private static final long MICROS_PER_HOUR = 3_600_000_000L;
    private static final long MICROS_PER_MINUTE = 60_000_000L;
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private Intervals() {
    }

    static String binary(ByteBuffer b) {
        long time = b.getLong();
        int days = b.getInt();
        int months = b.getInt();
        // PostgreSQL 17 infinities: every field at its extreme.
        if (months == Integer.MAX_VALUE && days == Integer.MAX_VALUE && time == Long.MAX_VALUE) {
            return "infinity";
        }
        if (months == Integer.MIN_VALUE && days == Integer.MIN_VALUE && time == Long.MIN_VALUE) {
            return "-infinity";
        }
        return iso8601(months, days, time);
    }

    static String iso8601(int months, int days, long time) {
        int year = months / 12;
        int month = months % 12;
        long hour = time / MICROS_PER_HOUR;
        time -= hour * MICROS_PER_HOUR;
        long minute = time / MICROS_PER_MINUTE;
        time -= minute * MICROS_PER_MINUTE;
        long second = time / MICROS_PER_SECOND;
        long fraction = time - second * MICROS_PER_SECOND;
        if (year == 0 && month == 0 && days == 0 && hour == 0 && minute == 0 && second == 0 && fraction == 0) {
            return "PT0S";
        }
        StringBuilder out = new StringBuilder(32).append('P');
        part(out, year, 'Y');
        part(out, month, 'M');
        part(out, days, 'D');
        if (hour != 0 || minute != 0 || second != 0 || fraction != 0) {
            out.append('T');
        }
        part(out, hour, 'H');
        part(out, minute, 'M');
        if (second != 0 || fraction != 0) {
            if (second < 0 || fraction < 0) {
                out.append('-');
            }
            out.append(Math.abs(second));
            if (fraction != 0) {
                String digits = Long.toString(1_000_000 + Math.abs(fraction)).substring(1);
                int end = digits.length();
                while (digits.charAt(end - 1) == '0') {
                    end--;
                }
                out.append('.').append(digits, 0, end);
            }
            out.append('S');
        }
        return out.toString();
    }

    private static void part(StringBuilder out, long value, char unit) {
        if (value != 0) {
            out.append(value).append(unit);
        }
    }
}
