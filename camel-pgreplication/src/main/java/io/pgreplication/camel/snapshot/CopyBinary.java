package io.pgreplication.camel.snapshot;

/**
 * Splits one CopyData message of {@code COPY ... TO STDOUT (FORMAT binary)} into its column values: each field is a
 * 32-bit length (-1 for null) and that many bytes of the type's send function, the same bytes pgoutput's binary mode
 * carries. The server prepends the 19-byte file header (signature, flags, no extension) to the first row and sends
 * the trailer (field count -1) as a message of its own.
 */
final class CopyBinary {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    private CopyBinary() {
    }

    /**
     * Fills {@code out} with the row's values (null for SQL NULL). Returns false for the trailer. {@code first} says
     * the message starts with the file header.
     */
    static boolean split(byte[] row, boolean first, byte[][] out) {
        int pos = 0;
        if (first) {
            for (int i = 0; i < SIGNATURE.length; i++) {
                if (i >= row.length || row[i] != SIGNATURE[i]) {
                    throw new IllegalStateException("COPY binary output without its signature");
                }
            }
            pos = SIGNATURE.length + 4; // flags: OIDs are never included
            int extension = int32(row, pos);
            pos += 4 + extension;
            if (pos == row.length) {
                return false; // an empty result: header and nothing else in this message
            }
        }
        int fields = (short) (((row[pos] & 0xFF) << 8) | (row[pos + 1] & 0xFF));
        pos += 2;
        if (fields == -1) {
            return false;
        }
        if (fields != out.length) {
            throw new IllegalStateException("COPY row with " + fields + " columns, expected " + out.length);
        }
        for (int i = 0; i < fields; i++) {
            int length = int32(row, pos);
            pos += 4;
            if (length < 0) {
                out[i] = null;
            } else {
                byte[] value = new byte[length];
                System.arraycopy(row, pos, value, 0, length);
                out[i] = value;
                pos += length;
            }
        }
        return true;
    }

    private static int int32(byte[] b, int pos) {
        return ((b[pos] & 0xFF) << 24) | ((b[pos + 1] & 0xFF) << 16) | ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
    }
}
