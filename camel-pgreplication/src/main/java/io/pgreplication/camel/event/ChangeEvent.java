package io.pgreplication.camel.event;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.pgoutput.PgOutputTime;

/**
 * One committed row change (docs/user-guide.md, "The exchange"): the element type of an exchange body with {@code outputFormat=events}.
 *
 * <p>Serialises with a plain Jackson {@code ObjectMapper} to
 * {@code {"op","schema","table","lsn","commitLsn","xid","commitTime","key","before","after","unchangedToast"}};
 * {@code unchangedToast} is omitted when empty, truncate events add {@code cascade} and {@code restartIdentity},
 * message events (schema, table, key, before and after null) add {@code prefix}, {@code content} (base64) and
 * {@code transactional}.
 */
@JsonSerialize(using = ChangeEventSerializer.class)
public final class ChangeEvent {

    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Operation op;
    private final String schema;
    private final String table;
    private final long lsn;
    private final long commitLsn;
    private final long xid;
    private final long commitTime;
    private final Map<String, Object> key;
    private final Map<String, Object> before;
    private final Map<String, Object> after;
    private final List<String> unchangedToast;
    private final boolean cascade;
    private final boolean restartIdentity;
    private final String prefix;
    private final byte[] content;
    private final boolean transactional;

    /** An insert, update or delete. */
    ChangeEvent(Operation op, String schema, String table, long lsn, long commitLsn, long xid, long commitTime,
                Map<String, Object> key, Map<String, Object> before, Map<String, Object> after,
                List<String> unchangedToast) {
        this(op, schema, table, lsn, commitLsn, xid, commitTime, key, before, after, unchangedToast, false, false,
                null, null, true);
    }

    private ChangeEvent(Operation op, String schema, String table, long lsn, long commitLsn, long xid, long commitTime,
                        Map<String, Object> key, Map<String, Object> before, Map<String, Object> after,
                        List<String> unchangedToast, boolean cascade, boolean restartIdentity, String prefix,
                        byte[] content, boolean transactional) {
        this.prefix = prefix;
        this.content = content;
        this.transactional = transactional;
        this.op = op;
        this.schema = schema;
        this.table = table;
        this.lsn = lsn;
        this.commitLsn = commitLsn;
        this.xid = xid;
        this.commitTime = commitTime;
        this.key = key;
        this.before = before;
        this.after = after;
        this.unchangedToast = unchangedToast;
        this.cascade = cascade;
        this.restartIdentity = restartIdentity;
    }

    /**
     * A row read by the initial snapshot: {@code lsn} and {@code commitLsn} are the slot's consistent point,
     * {@code before}, {@code xid} and {@code commitTime} are null.
     */
    public static ChangeEvent snapshot(String schema, String table, long consistentPoint, Map<String, Object> key,
                                       Map<String, Object> after) {
        return new ChangeEvent(Operation.SNAPSHOT, schema, table, consistentPoint, consistentPoint, 0, 0, key, null,
                after, null);
    }

    /** One truncated table of a TRUNCATE, with the statement's CASCADE and RESTART IDENTITY. */
    static ChangeEvent truncate(String schema, String table, long lsn, long commitLsn, long xid, long commitTime,
                                boolean cascade, boolean restartIdentity) {
        return new ChangeEvent(Operation.TRUNCATE, schema, table, lsn, commitLsn, xid, commitTime, Map.of(), null, null,
                null, cascade, restartIdentity, null, null, true);
    }

    /** The kind of change. */
    public Operation getOperation() {
        return op;
    }

    /** {@code insert}, {@code update}, {@code delete}, {@code truncate}, {@code snapshot} or {@code message}. */
    public String getOp() {
        return op.wireName();
    }

    public String getSchema() {
        return schema;
    }

    public String getTable() {
        return table;
    }

    /** The WAL position of the change, {@code X/XXXXXXXX}. */
    public String getLsn() {
        return Lsn.format(lsn);
    }

    /** The WAL position of the change as a number. */
    public long lsnValue() {
        return lsn;
    }

    /**
     * The LSN of the transaction's commit record: equal for every change of a transaction and strictly increasing
     * from one transaction to the next, so a sink can deduplicate redelivered transactions on it.
     */
    public String getCommitLsn() {
        return Lsn.format(commitLsn);
    }

    public long commitLsnValue() {
        return commitLsn;
    }

    /**
     * A {@code pg_logical_emit_message} message. A transactional one carries its transaction's commitLsn, xid and
     * commitTime; a non-transactional one has no transaction: its commitLsn is its own LSN (still increasing in stream
     * order), xid and commitTime are null.
     */
    static ChangeEvent message(long lsn, long commitLsn, long xid, long commitTime, String prefix, byte[] content,
                               boolean transactional) {
        return new ChangeEvent(Operation.MESSAGE, null, null, lsn, commitLsn, xid, commitTime, null, null, null, null,
                false, false, prefix, content, transactional);
    }

    /** The transaction id; null for snapshot rows and non-transactional messages. */
    public Long getXid() {
        return op == Operation.SNAPSHOT || (op == Operation.MESSAGE && !transactional) ? null : xid;
    }

    /** Commit timestamp, ISO-8601 UTC with microseconds; null for snapshot rows and non-transactional messages. */
    public String getCommitTime() {
        return getXid() == null ? null : MICROS.format(commitInstant());
    }

    /** The commit time as an Instant; null for snapshot rows and non-transactional messages. */
    public Instant commitInstant() {
        return getXid() == null ? null : PgOutputTime.toInstant(commitTime);
    }

    /** The row's key; on an update that changed the key, and on a delete, the old key. */
    public Map<String, Object> getKey() {
        return key;
    }

    /** The old row as far as the server sent it, or null. */
    public Map<String, Object> getBefore() {
        return before;
    }

    /** The new row; null for delete and truncate. */
    public Map<String, Object> getAfter() {
        return after;
    }

    /** Columns whose unchanged TOASTed value the server did not send; they are absent from {@link #getAfter()}. */
    public List<String> getUnchangedToast() {
        return unchangedToast;
    }

    /** Truncate only: the truncate cascaded. */
    public boolean isCascade() {
        return cascade;
    }

    /** Truncate only: identity sequences were restarted. */
    public boolean isRestartIdentity() {
        return restartIdentity;
    }

    /** Message only: the prefix given to {@code pg_logical_emit_message}. */
    public String getPrefix() {
        return prefix;
    }

    /** Message only: the content bytes (base64 in JSON). */
    public byte[] getContent() {
        return content;
    }

    /** Message only: emitted inside its transaction (true) or at once, outside any transaction (false). */
    public boolean isTransactional() {
        return transactional;
    }

    @Override
    public String toString() {
        if (op == Operation.MESSAGE) {
            return "ChangeEvent[message prefix=" + prefix + " lsn=" + getLsn() + " transactional=" + transactional
                   + "]";
        }
        return "ChangeEvent[" + getOp() + " " + schema + "." + table + " lsn=" + getLsn() + " key=" + key + "]";
    }
}
