package io.pgreplication.camel.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The columns of one row as sent in a pgoutput TupleData, in the order of the relation's columns.
 *
 * <p>{@code kinds[i]} is {@link #NULL} ('n'), {@link #UNCHANGED_TOAST} ('u': an unchanged TOASTed value the server
 * did not send), {@link #TEXT} ('t') or {@link #BINARY} ('b'); {@code values[i]} holds the raw bytes for 't' and 'b'
 * and is null otherwise. Arrays are owned by this object and never modified after decoding.
 */
public record TupleData(byte[] kinds, byte[][] values) {

    public static final byte NULL = 'n';
    public static final byte UNCHANGED_TOAST = 'u';
    public static final byte TEXT = 't';
    public static final byte BINARY = 'b';

    public int size() {
        return kinds.length;
    }

    public byte kind(int column) {
        return kinds[column];
    }

    public byte[] value(int column) {
        return values[column];
    }

    /** Compares contents, since array components would otherwise compare by identity. */
    @Override
    public boolean equals(Object other) {
        return other instanceof TupleData that && Arrays.equals(kinds, that.kinds)
               && Arrays.deepEquals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(kinds) + Arrays.deepHashCode(values);
    }

    /** Text values as UTF-8 and binary ones as hex, so a failed assertion or a log line shows the row. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("TupleData[");
        for (int i = 0; i < kinds.length; i++) {
            if (i > 0) {
                text.append(", ");
            }
            text.append((char) kinds[i]);
            if (kinds[i] == TEXT) {
                text.append(":'").append(new String(values[i], StandardCharsets.UTF_8)).append('\'');
            } else if (kinds[i] == BINARY) {
                text.append(":0x").append(HexFormat.of().formatHex(values[i]));
            }
        }
        return text.append(']').toString();
    }
}
