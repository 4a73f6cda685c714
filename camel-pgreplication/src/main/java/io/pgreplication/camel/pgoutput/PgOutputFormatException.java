package io.pgreplication.camel.pgoutput;

import io.pgreplication.camel.lsn.Lsn;

/**
 * A pgoutput payload that cannot be decoded: an unknown message type, a truncated message or an unexpected marker.
 * Carries the message type byte, the offset in the payload where decoding failed and the WAL position of the message,
 * so an operator can find it with {@code pg_logical_slot_peek_binary_changes}.
 */
public final class PgOutputFormatException extends RuntimeException {

    private final byte messageType;
    private final int offset;
    private final long lsn;

    public PgOutputFormatException(String problem, byte messageType, int offset, long lsn) {
        super(problem + " (message type " + describe(messageType) + ", offset " + offset + ", LSN "
              + Lsn.format(lsn) + ")");
        this.messageType = messageType;
        this.offset = offset;
        this.lsn = lsn;
    }

    public byte messageType() {
        return messageType;
    }

    public int offset() {
        return offset;
    }

    public long lsn() {
        return lsn;
    }

    /** A type byte or marker as {@code 'X' 0x58}, or just the hex when it is not printable ASCII. */
    static String describe(byte type) {
        int unsigned = type & 0xFF;
        return (unsigned >= 0x20 && unsigned < 0x7F ? "'" + (char) unsigned + "' " : "") + String.format("0x%02X", unsigned);
    }
}
