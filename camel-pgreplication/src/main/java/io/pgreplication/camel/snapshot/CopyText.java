package io.pgreplication.camel.snapshot;

import java.util.Arrays;

/**
 * Splits one row of {@code COPY ... TO STDOUT} text format into its column values: tab-separated, {@code \N} for
 * null, backslash escapes undone, so each value is exactly the type output text pgoutput sends for the same column.
 */
final class CopyText {

    private CopyText() {
    }

    /**
     * Fills {@code out} with the row's values (null for SQL NULL); fails when the row has a different number of
     * columns. {@code row} is one CopyData message: the values and a trailing newline.
     */
    static void split(byte[] row, byte[][] out) {
        int end = row.length;
        if (end > 0 && row[end - 1] == '\n') {
            end--;
        }
        int column = 0;
        int start = 0;
        boolean escaped = false;
        for (int i = 0; i <= end; i++) {
            byte b = i < end ? row[i] : (byte) '\t';
            if (b == '\\') {
                escaped = true;
                i++; // the escaped character is never a delimiter
            } else if (b == '\t') {
                if (column >= out.length) {
                    throw mismatch(out.length, row);
                }
                out[column++] = value(row, start, i, escaped);
                start = i + 1;
                escaped = false;
            }
        }
        if (column != out.length) {
            throw mismatch(out.length, row);
        }
    }

    private static byte[] value(byte[] row, int from, int to, boolean escaped) {
        if (!escaped) {
            return Arrays.copyOfRange(row, from, to);
        }
        if (to - from == 2 && row[from + 1] == 'N') {
            return null;
        }
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = row[i];
            if (b != '\\' || i + 1 >= to) {
                out[n++] = b;
                continue;
            }
            byte c = row[++i];
            switch (c) {
                case 'b' -> out[n++] = '\b';
                case 'f' -> out[n++] = '\f';
                case 'n' -> out[n++] = '\n';
                case 'r' -> out[n++] = '\r';
                case 't' -> out[n++] = '\t';
                case 'v' -> out[n++] = 0x0b;
                case 'x' -> {
                    int v = 0;
                    int digits = 0;
                    while (digits < 2 && i + 1 < to && Character.digit(row[i + 1], 16) >= 0) {
                        v = v * 16 + Character.digit(row[++i], 16);
                        digits++;
                    }
                    out[n++] = digits == 0 ? (byte) 'x' : (byte) v;
                }
                default -> {
                    if (c >= '0' && c <= '7') {
                        int v = c - '0';
                        for (int d = 0; d < 2 && i + 1 < to && row[i + 1] >= '0' && row[i + 1] <= '7'; d++) {
                            v = v * 8 + (row[++i] - '0');
                        }
                        out[n++] = (byte) v;
                    } else {
                        out[n++] = c; // \\ and any other escaped character stand for themselves
                    }
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static IllegalStateException mismatch(int expected, byte[] row) {
        return new IllegalStateException("COPY row with a column count other than the " + expected
                                         + " selected columns (" + row.length + " bytes)");
    }
}
