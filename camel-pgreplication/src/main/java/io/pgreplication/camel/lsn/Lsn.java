package io.pgreplication.camel.lsn;

import java.util.Locale;

/**
 * A WAL position. PostgreSQL prints it as two hex halves, {@code X/XXXXXXXX} (e.g. {@code 0/16B3748}); LSNs compare
 * as unsigned 64-bit numbers.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    public static final Lsn INVALID = new Lsn(0);

    public static Lsn of(long value) {
        return value == 0 ? INVALID : new Lsn(value);
    }

    /** Parses {@code X/Y} (hex halves, as {@code pg_lsn} prints it). */
    public static Lsn parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("Not an LSN: '" + text + "' (expected X/Y in hex, e.g. 0/16B3748)");
        }
        try {
            long high = Long.parseLong(text.substring(0, slash), 16);
            long low = Long.parseLong(text.substring(slash + 1), 16);
            if (high > 0xFFFFFFFFL || low > 0xFFFFFFFFL || high < 0 || low < 0) {
                throw new NumberFormatException();
            }
            return of(high << 32 | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not an LSN: '" + text + "' (expected X/Y in hex, e.g. 0/16B3748)");
        }
    }

    /** Formats a raw WAL position as PostgreSQL does. */
    public static String format(long value) {
        return Long.toHexString(value >>> 32).toUpperCase(Locale.ROOT) + "/"
               + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }

    public boolean isValid() {
        return value != 0;
    }

    public boolean isAfter(Lsn other) {
        return Long.compareUnsigned(value, other.value) > 0;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return format(value);
    }
}
