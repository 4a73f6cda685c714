package io.pgreplication.camel.pgoutput;

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
}
