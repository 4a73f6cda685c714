package io.pgreplication.camel.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The columns of one row as sent in a pgoutput TupleData, in the order of the relation's columns.
 *
 * <p>{@code kind(i)} is {@link #NULL} ('n'), {@link #UNCHANGED_TOAST} ('u': an unchanged TOASTed value the server
 * did not send), {@link #TEXT} ('t') or {@link #BINARY} ('b'). The raw bytes of a 't' or 'b' value are
 * {@code length(i)} bytes of {@link #data()} at {@code offset(i)}: the decoder does not copy values out of the message
 * that carried them, so value decoders read them in place. {@link #value(int)} gives a copy.
 *
 * <p>Immutable as long as nobody writes to the message's array, which the decoder's caller guarantees (see
 * {@link PgOutputDecoder#decode}). Equality compares kinds and value bytes.
 */
public final class TupleData {

    public static final byte NULL = 'n';
    public static final byte UNCHANGED_TOAST = 'u';
    public static final byte TEXT = 't';
    public static final byte BINARY = 'b';

    private final byte[] kinds;
    private final byte[] data;
    private final int[] offsets;
    private final int[] lengths;

    /** A tuple whose 't' and 'b' values are given one array each, null for the other kinds (tests, tools). */
    public TupleData(byte[] kinds, byte[][] values) {
        this.kinds = kinds.clone();
        this.offsets = new int[kinds.length];
        this.lengths = new int[kinds.length];
        int total = 0;
        for (byte[] value : values) {
            total += value == null ? 0 : value.length;
        }
        this.data = new byte[total];
        int at = 0;
        for (int i = 0; i < kinds.length; i++) {
            if (values[i] != null) {
                System.arraycopy(values[i], 0, data, at, values[i].length);
                offsets[i] = at;
                lengths[i] = values[i].length;
                at += values[i].length;
            }
        }
    }

    /** A tuple whose values lie in {@code data}; the arrays are taken over, not copied. */
    TupleData(byte[] kinds, byte[] data, int[] offsets, int[] lengths) {
        this.kinds = kinds;
        this.data = data;
        this.offsets = offsets;
        this.lengths = lengths;
    }

    public int size() {
        return kinds.length;
    }

    public byte kind(int column) {
        return kinds[column];
    }

    /** The kinds of all columns, a copy. */
    public byte[] kinds() {
        return kinds.clone();
    }

    /** The array holding the values; read it only at {@link #offset(int)} for {@link #length(int)} bytes. */
    public byte[] data() {
        return data;
    }

    public int offset(int column) {
        return offsets[column];
    }

    public int length(int column) {
        return lengths[column];
    }

    /** A copy of the raw bytes of a 't' or 'b' column; null for the other kinds. */
    public byte[] value(int column) {
        byte kind = kinds[column];
        if (kind != TEXT && kind != BINARY) {
            return null;
        }
        return Arrays.copyOfRange(data, offsets[column], offsets[column] + lengths[column]);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof TupleData that) || !Arrays.equals(kinds, that.kinds)) {
            return false;
        }
        for (int i = 0; i < kinds.length; i++) {
            if ((kinds[i] == TEXT || kinds[i] == BINARY)
                && !Arrays.equals(data, offsets[i], offsets[i] + lengths[i],
                    that.data, that.offsets[i], that.offsets[i] + that.lengths[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = Arrays.hashCode(kinds);
        for (int i = 0; i < kinds.length; i++) {
            hash = 31 * hash + Arrays.hashCode(value(i));
        }
        return hash;
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
                text.append(":'").append(new String(data, offsets[i], lengths[i], StandardCharsets.UTF_8)).append('\'');
            } else if (kinds[i] == BINARY) {
                text.append(":0x").append(HexFormat.of().formatHex(data, offsets[i], offsets[i] + lengths[i]));
            }
        }
        return text.append(']').toString();
    }
}
