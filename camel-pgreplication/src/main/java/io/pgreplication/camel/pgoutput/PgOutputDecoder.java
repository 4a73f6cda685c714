package io.pgreplication.camel.pgoutput;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes pgoutput messages (protocol versions 1-4), one per call, straight from the payload buffer of an XLogData
 * message. Strings and logical message contents are copied out of the buffer; column values are not: a
 * {@link TupleData} refers to the payload's backing array.
 *
 * <p>The decoder keeps the one piece of state the protocol needs: whether it is between Stream Start 'S' and Stream
 * Stop 'E', because only there do Relation, Type, Insert, Update, Delete, Truncate and Message carry an xid. Feed it
 * every message of one replication stream in order; a reopened stream gets a new decoder, since the server starts
 * afresh. Not thread-safe; one decoder belongs to one stream.
 *
 * <p>Anything it does not fully understand (unknown type, truncated message, unexpected marker, column kind or flag,
 * trailing bytes) is a {@link PgOutputFormatException}: a consumer that skipped it could confirm past data it never
 * delivered.
 */
public final class PgOutputDecoder {

    private static final int KNOWN_TRUNCATE_OPTIONS = 1 | 2; // 1 = CASCADE, 2 = RESTART IDENTITY

    private boolean inStream;

    // The message being decoded. Kept in fields rather than a cursor object so a decode allocates only its result.
    private ByteBuffer buf;
    private int start;
    private int pos;
    private int end;
    private byte type;
    private long walStart;

    /**
     * Decodes the one message in {@code payload} between its position and limit. The buffer's position, limit and
     * contents are left unchanged. The column values of the result are read in place from the buffer's backing array,
     * so the caller must not write to that array while the message is in use; pgjdbc gives every message an array of
     * its own. (A buffer without an accessible array has each tuple copied once.)
     *
     * @param payload  the XLogData payload, starting with the message type byte
     * @param walStart the XLogData header's WAL position, used only to make errors traceable
     * @throws PgOutputFormatException if the bytes are not exactly one valid message
     */
    public PgOutputMessage decode(ByteBuffer payload, long walStart) {
        // Slices and duplicates start big-endian, but a caller may have changed the order of the buffer it passes.
        buf = payload.order() == ByteOrder.BIG_ENDIAN ? payload : payload.duplicate().order(ByteOrder.BIG_ENDIAN);
        start = payload.position();
        pos = start;
        end = payload.limit();
        type = 0;
        this.walStart = walStart;
        try {
            if (pos == end) {
                throw fail("empty payload");
            }
            type = buf.get(pos++);
            PgOutputMessage message = decodeBody();
            if (pos != end) {
                throw fail((end - pos) + " unexpected bytes after the end of the message");
            }
            // Only a message that decoded completely moves the stream state.
            if (type == 'S') {
                inStream = true;
            } else if (type == 'E') {
                inStream = false;
            }
            return message;
        } finally {
            buf = null; // the decoder itself keeps no message reachable
        }
    }

    /** True between a Stream Start and its Stream Stop, where change messages carry an xid. */
    public boolean inStreamedTransaction() {
        return inStream;
    }

    private PgOutputMessage decodeBody() {
        return switch (type) {
            case 'B' -> new PgOutputMessage.Begin(readLong("final LSN"), readLong("commit time"), readInt("xid"));
            case 'C' -> new PgOutputMessage.Commit(readZeroFlags(), readLong("commit LSN"), readLong("end LSN"),
                    readLong("commit time"));
            case 'O' -> new PgOutputMessage.Origin(readLong("origin LSN"), readString("origin name"));
            case 'R' -> decodeRelation();
            case 'Y' -> new PgOutputMessage.Type(readStreamXid(), readInt("type OID"), readString("type namespace"),
                    readString("type name"));
            case 'I' -> decodeInsert();
            case 'U' -> decodeUpdate();
            case 'D' -> decodeDelete();
            case 'T' -> decodeTruncate();
            case 'M' -> decodeLogicalMessage();
            case 'S' -> decodeStreamStart();
            case 'E' -> decodeStreamStop();
            case 'c' -> new PgOutputMessage.StreamCommit(readInt("xid"), readZeroFlags(), readLong("commit LSN"),
                    readLong("end LSN"), readLong("commit time"));
            case 'A' -> decodeStreamAbort();
            case 'b' -> new PgOutputMessage.BeginPrepare(readLong("prepare LSN"), readLong("end LSN"),
                    readLong("prepare time"), readInt("xid"), readString("gid"));
            case 'P' -> new PgOutputMessage.Prepare(readZeroFlags(), readLong("prepare LSN"), readLong("end LSN"),
                    readLong("prepare time"), readInt("xid"), readString("gid"));
            case 'K' -> new PgOutputMessage.CommitPrepared(readZeroFlags(), readLong("commit LSN"),
                    readLong("end LSN"), readLong("commit time"), readInt("xid"), readString("gid"));
            case 'r' -> new PgOutputMessage.RollbackPrepared(readZeroFlags(), readLong("prepare end LSN"),
                    readLong("rollback end LSN"), readLong("prepare time"), readLong("rollback time"),
                    readInt("xid"), readString("gid"));
            case 'p' -> new PgOutputMessage.StreamPrepare(readZeroFlags(), readLong("prepare LSN"),
                    readLong("end LSN"), readLong("prepare time"), readInt("xid"), readString("gid"));
            default -> throw failAt(start, "unknown message type");
        };
    }

    private PgOutputMessage.Relation decodeRelation() {
        int xid = readStreamXid();
        int oid = readInt("relation OID");
        String namespace = readString("relation namespace"); // "" is pg_catalog; kept as sent
        String name = readString("relation name");
        int identityAt = pos;
        byte replicaIdentity = readByte("replica identity");
        if (replicaIdentity != 'd' && replicaIdentity != 'n' && replicaIdentity != 'f' && replicaIdentity != 'i') {
            throw failAt(identityAt, "unknown replica identity " + PgOutputFormatException.describe(replicaIdentity));
        }
        int count = readCount("column count", 10); // a column is at least flags, NUL, type OID and typmod
        PgOutputMessage.Column[] columns = new PgOutputMessage.Column[count];
        for (int i = 0; i < count; i++) {
            int flagsAt = pos;
            byte flags = readByte("column flags");
            if (flags != 0 && flags != 1) {
                throw failAt(flagsAt, "unknown flags " + flags + " on column " + i);
            }
            columns[i] = new PgOutputMessage.Column(flags == 1, readString("column name"), readInt("column type OID"),
                    readInt("column type modifier"));
        }
        return new PgOutputMessage.Relation(xid, oid, namespace, name, replicaIdentity, Arrays.asList(columns));
    }

    private PgOutputMessage.Insert decodeInsert() {
        int xid = readStreamXid();
        int relation = readInt("relation OID");
        expectMarker('N', "Insert");
        return new PgOutputMessage.Insert(xid, relation, readTuple());
    }

    private PgOutputMessage.Update decodeUpdate() {
        int xid = readStreamXid();
        int relation = readInt("relation OID");
        TupleData oldKey = null;
        TupleData oldRow = null;
        // The old tuple is optional, so 'K', 'O' and 'N' are told apart here by position, not by the first byte.
        int markerAt = pos;
        byte marker = readByte("tuple marker");
        if (marker == 'K' || marker == 'O') {
            TupleData old = readTuple();
            if (marker == 'K') {
                oldKey = old;
            } else {
                oldRow = old;
            }
            expectMarker('N', "Update after the old tuple");
        } else if (marker != 'N') {
            throw failAt(markerAt, "expected tuple marker 'K', 'O' or 'N' in Update but found "
                                   + PgOutputFormatException.describe(marker));
        }
        return new PgOutputMessage.Update(xid, relation, oldKey, oldRow, readTuple());
    }

    private PgOutputMessage.Delete decodeDelete() {
        int xid = readStreamXid();
        int relation = readInt("relation OID");
        int markerAt = pos;
        byte marker = readByte("tuple marker");
        if (marker == 'K') {
            return new PgOutputMessage.Delete(xid, relation, readTuple(), null);
        }
        if (marker == 'O') {
            return new PgOutputMessage.Delete(xid, relation, null, readTuple());
        }
        throw failAt(markerAt, "expected tuple marker 'K' or 'O' in Delete but found "
                               + PgOutputFormatException.describe(marker));
    }

    private PgOutputMessage.Truncate decodeTruncate() {
        int xid = readStreamXid();
        int countAt = pos;
        int count = readInt("relation count");
        int optionsAt = pos;
        byte options = readByte("truncate options");
        if ((options & ~KNOWN_TRUNCATE_OPTIONS) != 0) {
            throw failAt(optionsAt, "unknown truncate option bits " + options);
        }
        // Check the count against what is left before allocating, so a corrupt count cannot exhaust memory.
        if (count < 0 || count > (end - pos) / 4) {
            throw failAt(countAt, "relation count " + count + " does not fit in the " + (end - pos) + " bytes left");
        }
        int[] relations = new int[count];
        for (int i = 0; i < count; i++) {
            relations[i] = readInt("relation OID");
        }
        return new PgOutputMessage.Truncate(xid, relations, (options & 1) != 0, (options & 2) != 0);
    }

    private PgOutputMessage.LogicalMessage decodeLogicalMessage() {
        int xid = readStreamXid();
        int flagsAt = pos;
        byte flags = readByte("message flags");
        if (flags != 0 && flags != 1) {
            throw failAt(flagsAt, "unknown message flags " + flags);
        }
        long lsn = readLong("message LSN");
        String prefix = readString("message prefix");
        return new PgOutputMessage.LogicalMessage(xid, flags == 1, lsn, prefix, readBytes("message content"));
    }

    private PgOutputMessage.StreamStart decodeStreamStart() {
        if (inStream) {
            throw failAt(start, "Stream Start while a stream chunk is still open (missing Stream Stop, "
                                + "or the decoder was reused for a reopened stream)");
        }
        int xid = readInt("xid");
        int firstAt = pos;
        byte first = readByte("first segment flag");
        if (first != 0 && first != 1) {
            throw failAt(firstAt, "unknown first segment flag " + first);
        }
        return new PgOutputMessage.StreamStart(xid, first == 1);
    }

    private PgOutputMessage.StreamStop decodeStreamStop() {
        if (!inStream) {
            throw failAt(start, "Stream Stop without a Stream Start");
        }
        return new PgOutputMessage.StreamStop();
    }

    private PgOutputMessage.StreamAbort decodeStreamAbort() {
        int xid = readInt("xid");
        int subXid = readInt("subtransaction xid");
        // Only protocol 4 with streaming=parallel appends the abort position and time; the message length tells.
        if (pos == end) {
            return new PgOutputMessage.StreamAbort(xid, subXid, 0L, 0L);
        }
        return new PgOutputMessage.StreamAbort(xid, subXid, readLong("abort LSN"), readLong("abort time"));
    }

    private TupleData readTuple() {
        int count = readCount("tuple column count", 1); // every column has at least its kind byte
        byte[] kinds = new byte[count];
        int[] offsets = new int[count];
        int[] lengths = new int[count];
        int first = pos;
        for (int i = 0; i < count; i++) {
            byte kind = readByte("column kind");
            kinds[i] = kind;
            if (kind == TupleData.TEXT || kind == TupleData.BINARY) {
                int length = readLength("column value");
                offsets[i] = pos;
                lengths[i] = length;
                pos += length;
            } else if (kind != TupleData.NULL && kind != TupleData.UNCHANGED_TOAST) {
                throw failAt(pos - 1, "unknown column kind " + PgOutputFormatException.describe(kind)
                                      + " for column " + i);
            }
        }
        // Values stay where they are: in the payload's own array, or one copy of the tuple's bytes when it has none.
        byte[] data;
        int shift;
        if (buf.hasArray()) {
            data = buf.array();
            shift = buf.arrayOffset();
        } else {
            data = new byte[pos - first];
            buf.get(first, data);
            shift = -first;
        }
        for (int i = 0; i < count; i++) {
            offsets[i] += shift;
        }
        return new TupleData(kinds, data, offsets, lengths);
    }

    private void expectMarker(char expected, String where) {
        int markerAt = pos;
        byte marker = readByte("tuple marker");
        if (marker != expected) {
            throw failAt(markerAt, "expected tuple marker '" + expected + "' in " + where + " but found "
                                   + PgOutputFormatException.describe(marker));
        }
    }

    /** The xid that change messages carry only inside a streamed transaction chunk. */
    private int readStreamXid() {
        return inStream ? readInt("xid") : 0;
    }

    /** Flags that the protocol defines as always 0; the server's own readers reject anything else, and so do we. */
    private byte readZeroFlags() {
        int flagsAt = pos;
        byte flags = readByte("flags");
        if (flags != 0) {
            throw failAt(flagsAt, "unknown flags " + flags);
        }
        return flags;
    }

    /** An Int16 count of items that each take at least {@code minBytesEach}, checked against the bytes left. */
    private int readCount(String what, int minBytesEach) {
        require(2, what);
        int count = buf.getShort(pos) & 0xFFFF;
        if (count > (end - pos - 2) / minBytesEach) {
            throw fail("truncated: " + what + " " + count + " does not fit in the " + (end - pos - 2) + " bytes left");
        }
        pos += 2;
        return count;
    }

    private byte readByte(String what) {
        require(1, what);
        return buf.get(pos++);
    }

    private int readInt(String what) {
        require(4, what);
        int value = buf.getInt(pos);
        pos += 4;
        return value;
    }

    private long readLong(String what) {
        require(8, what);
        long value = buf.getLong(pos);
        pos += 8;
        return value;
    }

    /** An Int32 length followed by that many bytes, copied. */
    private byte[] readBytes(String what) {
        int length = readLength(what);
        byte[] bytes = new byte[length];
        buf.get(pos, bytes);
        pos += length;
        return bytes;
    }

    /** An Int32 length of bytes that must follow it; the position is left on the first of them. */
    private int readLength(String what) {
        int lengthAt = pos;
        int length = readInt(what + " length");
        if (length < 0) {
            throw failAt(lengthAt, "negative " + what + " length " + length);
        }
        require(length, what);
        return length;
    }

    /** A NUL-terminated UTF-8 string. */
    private String readString(String what) {
        int nul = pos;
        while (nul < end && buf.get(nul) != 0) {
            nul++;
        }
        if (nul == end) {
            throw fail("truncated: " + what + " has no terminating NUL");
        }
        int length = nul - pos;
        String value;
        if (buf.hasArray()) {
            value = new String(buf.array(), buf.arrayOffset() + pos, length, StandardCharsets.UTF_8);
        } else {
            byte[] bytes = new byte[length]; // direct or read-only buffer: no array to decode from
            buf.get(pos, bytes);
            value = new String(bytes, StandardCharsets.UTF_8);
        }
        pos = nul + 1;
        return value;
    }

    private void require(int bytes, String what) {
        if (end - pos < bytes) {
            throw fail("truncated: " + what + " needs " + bytes + " bytes but " + (end - pos) + " are left");
        }
    }

    private PgOutputFormatException fail(String problem) {
        return failAt(pos, problem);
    }

    /** Offsets in errors count from the start of the message, so they match the captured payload's bytes. */
    private PgOutputFormatException failAt(int at, String problem) {
        return new PgOutputFormatException(problem, type, at - start, walStart);
    }
}
