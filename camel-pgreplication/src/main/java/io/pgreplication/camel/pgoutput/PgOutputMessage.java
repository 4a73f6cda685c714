package io.pgreplication.camel.pgoutput;

import java.util.Arrays;
import java.util.List;

/**
 * One pgoutput logical replication message, decoded from the payload of one XLogData (protocol versions 1-4,
 * PostgreSQL 10-18). Immutable; LSNs are raw 64-bit WAL positions, timestamps are microseconds since
 * 2000-01-01 00:00 UTC as on the wire (see {@link PgOutputTime}).
 *
 * <p>{@code xid} fields that the protocol only sends inside a streamed transaction are {@code 0} outside one.
 */
public sealed interface PgOutputMessage {

    /** The message type byte as sent by the server. */
    byte type();

    /** 'B': a transaction starts; {@code finalLsn} is the LSN of its commit record. */
    record Begin(long finalLsn, long commitTime, int xid) implements PgOutputMessage {
        public byte type() {
            return 'B';
        }
    }

    /** 'C': a transaction commits; confirming {@code endLsn} means it is never sent again. */
    record Commit(byte flags, long commitLsn, long endLsn, long commitTime) implements PgOutputMessage {
        public byte type() {
            return 'C';
        }
    }

    /** 'O': the transaction came from another node through a replication origin. */
    record Origin(long originLsn, String name) implements PgOutputMessage {
        public byte type() {
            return 'O';
        }
    }

    /** 'R': the shape of a table; every later tuple for {@code oid} is decoded against the latest one. */
    record Relation(int xid, int oid, String namespace, String name, byte replicaIdentity, List<Column> columns)
            implements PgOutputMessage {
        public byte type() {
            return 'R';
        }

        /** The table's schema: {@code namespace}, where pgoutput's empty name for pg_catalog is spelled out. */
        public String schema() {
            return namespace.isEmpty() ? "pg_catalog" : namespace;
        }
    }

    /** One column of a {@link Relation}; {@code key} is true when it is part of the replica identity. */
    record Column(boolean key, String name, int typeOid, int typeModifier) {
    }

    /** 'Y': a non built-in type (OID >= 10000); for a domain the name is its base type's. */
    record Type(int xid, int oid, String namespace, String name) implements PgOutputMessage {
        public byte type() {
            return 'Y';
        }
    }

    /** 'I': a row was inserted. */
    record Insert(int xid, int relationOid, TupleData newTuple) implements PgOutputMessage {
        public byte type() {
            return 'I';
        }
    }

    /**
     * 'U': a row was updated. At most one of {@code oldKey} ('K': replica identity columns only, others null kind)
     * and {@code oldRow} ('O': the full old row, REPLICA IDENTITY FULL) is present; both are null when the server
     * sent no old tuple.
     */
    record Update(int xid, int relationOid, TupleData oldKey, TupleData oldRow, TupleData newTuple)
            implements PgOutputMessage {
        public byte type() {
            return 'U';
        }
    }

    /** 'D': a row was deleted; exactly one of {@code oldKey} and {@code oldRow} is present. */
    record Delete(int xid, int relationOid, TupleData oldKey, TupleData oldRow) implements PgOutputMessage {
        public byte type() {
            return 'D';
        }
    }

    /** 'T': tables were truncated. */
    record Truncate(int xid, int[] relationOids, boolean cascade, boolean restartIdentity) implements PgOutputMessage {
        public byte type() {
            return 'T';
        }

        // Array components would otherwise compare and print by identity.
        @Override
        public boolean equals(Object other) {
            return other instanceof Truncate that && xid == that.xid && cascade == that.cascade
                   && restartIdentity == that.restartIdentity && Arrays.equals(relationOids, that.relationOids);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(relationOids) + Integer.hashCode(xid) + (cascade ? 2 : 0) + (restartIdentity ? 1 : 0);
        }

        @Override
        public String toString() {
            return "Truncate[xid=" + xid + ", relationOids=" + Arrays.toString(relationOids) + ", cascade=" + cascade
                   + ", restartIdentity=" + restartIdentity + "]";
        }
    }

    /** 'M': a message from {@code pg_logical_emit_message} (sent only with {@code messages=true}). */
    record LogicalMessage(int xid, boolean transactional, long lsn, String prefix, byte[] content)
            implements PgOutputMessage {
        public byte type() {
            return 'M';
        }

        // Array components would otherwise compare and print by identity.
        @Override
        public boolean equals(Object other) {
            return other instanceof LogicalMessage that && xid == that.xid && transactional == that.transactional
                   && lsn == that.lsn && prefix.equals(that.prefix) && Arrays.equals(content, that.content);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Long.hashCode(lsn) + prefix.hashCode()) + Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "LogicalMessage[xid=" + xid + ", transactional=" + transactional + ", lsn=" + lsn + ", prefix="
                   + prefix + ", content=" + content.length + " bytes]";
        }
    }

    /** 'S': a chunk of an in-progress (streamed) transaction starts. */
    record StreamStart(int xid, boolean firstSegment) implements PgOutputMessage {
        public byte type() {
            return 'S';
        }
    }

    /** 'E': the current chunk of a streamed transaction ends. */
    record StreamStop() implements PgOutputMessage {
        public byte type() {
            return 'E';
        }
    }

    /** 'c': a streamed transaction commits. */
    record StreamCommit(int xid, byte flags, long commitLsn, long endLsn, long commitTime) implements PgOutputMessage {
        public byte type() {
            return 'c';
        }
    }

    /**
     * 'A': a streamed (sub)transaction aborts. {@code abortLsn} and {@code abortTime} are only sent with protocol 4
     * and {@code streaming=parallel}; they are 0 otherwise.
     */
    record StreamAbort(int xid, int subXid, long abortLsn, long abortTime) implements PgOutputMessage {
        public byte type() {
            return 'A';
        }
    }

    /** 'b': a two-phase transaction starts being prepared. */
    record BeginPrepare(long prepareLsn, long endLsn, long prepareTime, int xid, String gid)
            implements PgOutputMessage {
        public byte type() {
            return 'b';
        }
    }

    /** 'P': a two-phase transaction was prepared. */
    record Prepare(byte flags, long prepareLsn, long endLsn, long prepareTime, int xid, String gid)
            implements PgOutputMessage {
        public byte type() {
            return 'P';
        }
    }

    /** 'K': a prepared transaction was committed. */
    record CommitPrepared(byte flags, long commitLsn, long endLsn, long commitTime, int xid, String gid)
            implements PgOutputMessage {
        public byte type() {
            return 'K';
        }
    }

    /** 'r': a prepared transaction was rolled back. */
    record RollbackPrepared(byte flags, long prepareEndLsn, long rollbackEndLsn, long prepareTime, long rollbackTime,
            int xid, String gid) implements PgOutputMessage {
        public byte type() {
            return 'r';
        }
    }

    /** 'p': a streamed two-phase transaction was prepared. */
    record StreamPrepare(byte flags, long prepareLsn, long endLsn, long prepareTime, int xid, String gid)
            implements PgOutputMessage {
        public byte type() {
            return 'p';
        }
    }
}
