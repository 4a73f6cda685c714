package io.pgreplication.camel.value;

import java.util.Arrays;

/**
 * Turns one column value as the server sent it into its Java value (docs/types.md), chosen once per column from the type OID
 * (see {@link ValueDecoders#forType(int, TypeLookup)}). Text values are the type's output function under the
 * replication session's settings ({@code DateStyle=ISO}, {@code TimeZone=UTC}, {@code IntervalStyle=iso_8601},
 * {@code bytea_output=hex}, {@code extra_float_digits=3}); binary values are the type's send function. Both give
 * equal Java values.
 */
public interface ValueDecoder {

    /** The value from its text form. */
    Object decodeText(byte[] text);

    /**
     * The value from the text form in {@code length} bytes of {@code data} at {@code offset}, so a value can be decoded
     * straight from the message that carried it. The bytes are only read.
     */
    default Object decodeText(byte[] data, int offset, int length) {
        return decodeText(Arrays.copyOfRange(data, offset, offset + length));
    }

    /**
     * The value from its binary (send) form.
     *
     * @throws IllegalStateException when {@link #decodesBinary()} is false
     */
    Object decodeBinary(byte[] binary);

    /**
     * The value from the binary form in {@code length} bytes of {@code data} at {@code offset}; the bytes are only
     * read.
     *
     * @throws IllegalStateException when {@link #decodesBinary()} is false
     */
    default Object decodeBinary(byte[] data, int offset, int length) {
        return decodeBinary(Arrays.copyOfRange(data, offset, offset + length));
    }

    /**
     * True when the binary form decodes to exactly what the text form gives. False for types whose text form depends
     * on server settings or code this component does not reproduce (money, geometric types, ranges, composites,
     * most extension types): a table with such a column is streamed in text mode.
     */
    boolean decodesBinary();
}
