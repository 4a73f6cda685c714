package io.pgreplication.camel.event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.pgoutput.TupleData;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.value.TypeLookup;
import io.pgreplication.camel.value.ValueDecoder;

/**
 * Turns decoded pgoutput messages into {@link ChangeEvent}s: keeps the latest shape of every table and the state of
 * the open transaction, numbers transactions in stream order and reports each change and each commit to a
 * {@link Listener}. No I/O of its own; the primary-key lookup needed under REPLICA IDENTITY FULL/NOTHING is injected.
 */
public final class EventAssembler {

    /** Receives what the stream means. Called on the reading thread. */
    public interface Listener {
        /**
         * A change of a delivered table, belonging to transaction number {@code transaction}; {@code bytes} is the
         * length of the values it was decoded from, as the server sent them (what it costs to hold, roughly).
         */
        void onChange(ChangeEvent event, TableShape shape, long transaction, long bytes);

        /** Transaction number {@code transaction} committed; confirming {@code endLsn} acknowledges it. */
        void onCommit(long transaction, long endLsn);

        /**
         * A logical decoding message with the component's own prefix ({@link #COMPONENT_PREFIX}): never a change
         * event. {@code transaction} is the number of the transaction it belongs to; 0 for a non-transactional one.
         */
        default void onComponentMessage(byte[] content, boolean transactional, long lsn, long transaction) {
        }
    }

    /**
     * The prefix of the messages the component writes itself (backfill requests, admin.BackfillRequest): they are
     * handed to {@link Listener#onComponentMessage}, never delivered as message events.
     */
    public static final String COMPONENT_PREFIX = "pgreplication";

    /** The primary key column names of a table by OID, empty when it has none. */
    @FunctionalInterface
    public interface PrimaryKeyLookup {
        List<String> primaryKey(int relationOid);
    }

    /** Message batches share this pseudo-table shape. */
    private static final TableShape MESSAGES = TableShape.messages();

    private final TableFilter filter;
    private final IncludeColumns includeColumns;
    private final PrimaryKeyLookup primaryKeys;
    private final TypeLookup types;
    private final Listener listener;
    private final boolean deliverMessages;
    private final Map<Integer, TableShape> shapes = new HashMap<>();
    private final Map<Integer, String> typeNames = new HashMap<>();
    private int lastOid;
    private TableShape lastShape;

    private long transaction;
    /** The wire length of the values decoded for the change being assembled. */
    private long changeBytes;
    private boolean inTransaction;
    private long commitLsn;
    private long commitTime;
    private long xid;

    public EventAssembler(TableFilter filter, PrimaryKeyLookup primaryKeys, Listener listener) {
        this(filter, IncludeColumns.ALL, primaryKeys, TypeLookup.NONE, listener);
    }

    /**
     * @param includeColumns the includeColumns allow-list per table
     * @param types          describes column types that are not built in (enums, domains, extension types, ...)
     */
    public EventAssembler(TableFilter filter, IncludeColumns includeColumns, PrimaryKeyLookup primaryKeys,
                          TypeLookup types, Listener listener) {
        this(filter, includeColumns, primaryKeys, types, true, listener);
    }

    /**
     * @param deliverMessages whether logical decoding messages of other prefixes become message events (the
     *                        {@code messages} option); the stream carries them also when it is off, for the
     *                        component's own messages
     */
    public EventAssembler(TableFilter filter, IncludeColumns includeColumns, PrimaryKeyLookup primaryKeys,
                          TypeLookup types, boolean deliverMessages, Listener listener) {
        this.deliverMessages = deliverMessages;
        this.filter = filter;
        this.includeColumns = includeColumns;
        this.primaryKeys = primaryKeys;
        this.types = types;
        this.listener = listener;
    }

    /** True between Begin and Commit: the server's keepalive position must not be confirmed then. */
    public boolean inTransaction() {
        return inTransaction;
    }

    /** Handles one message; {@code lsn} is the WAL position from its XLogData header. */
    public void accept(PgOutputMessage message, long lsn) {
        if (message instanceof PgOutputMessage.Insert m) {
            TableShape shape = shape(m.relationOid(), lsn);
            if (shape.delivered()) {
                RowMap after = new RowMap(shape);
                List<String> toast = fill(shape, m.newTuple(), after, null);
                change(shape, Operation.INSERT, lsn, shape.keyOf(after), null, after, toast);
            }
        } else if (message instanceof PgOutputMessage.Update m) {
            onUpdate(m, lsn);
        } else if (message instanceof PgOutputMessage.Delete m) {
            TableShape shape = shape(m.relationOid(), lsn);
            if (shape.delivered()) {
                RowMap before = oldRow(shape, m.oldKey(), m.oldRow());
                change(shape, Operation.DELETE, lsn, shape.keyOf(before), before, null, null);
            }
        } else if (message instanceof PgOutputMessage.Begin m) {
            transaction++;
            inTransaction = true;
            commitLsn = m.finalLsn();
            commitTime = m.commitTime();
            xid = Integer.toUnsignedLong(m.xid());
        } else if (message instanceof PgOutputMessage.Commit m) {
            inTransaction = false;
            listener.onCommit(transaction, m.endLsn());
        } else if (message instanceof PgOutputMessage.Relation m) {
            List<String> primaryKey = m.replicaIdentity() == 'f' || m.replicaIdentity() == 'n'
                    ? primaryKeys.primaryKey(m.oid()) : List.of();
            TableDefinition table = TableDefinition.of(m, typeNames, primaryKey);
            lastShape = null;
            shapes.put(m.oid(), new TableShape(table, filter.accepts(m.oid(), table.schema(), table.name()),
                    includeColumns.columnsOf(m.oid(), table.schema(), table.name()), types));
        } else if (message instanceof PgOutputMessage.Type m) {
            typeNames.put(m.oid(), m.namespace().isEmpty() || "pg_catalog".equals(m.namespace())
                    ? m.name() : m.namespace() + "." + m.name());
        } else if (message instanceof PgOutputMessage.Truncate m) {
            onTruncate(m, lsn);
        } else if (message instanceof PgOutputMessage.LogicalMessage m) {
            onMessage(m, lsn);
        } else if (message instanceof PgOutputMessage.Origin) {
            // The origin of a replicated transaction: nothing a route needs.
        } else {
            // Streaming and two-phase are never requested; receiving them means the stream is not what we asked for.
            throw new IllegalStateException("Unexpected pgoutput message '" + (char) message.type() + "' at LSN "
                                            + Lsn.format(lsn)
                                            + ": streaming and two-phase decoding are not requested by this consumer");
        }
    }

    private void onUpdate(PgOutputMessage.Update m, long lsn) {
        TableShape shape = shape(m.relationOid(), lsn);
        if (!shape.delivered()) {
            return;
        }
        RowMap before = oldRow(shape, m.oldKey(), m.oldRow());
        RowMap after = new RowMap(shape);
        List<String> toast = fill(shape, m.newTuple(), after, before);
        // An old tuple is sent when the key changed (or always under FULL): the key is then the old one.
        change(shape, Operation.UPDATE, lsn, shape.keyOf(before != null ? before : after), before, after, toast);
    }

    private void onTruncate(PgOutputMessage.Truncate m, long lsn) {
        for (int oid : m.relationOids()) {
            TableShape shape = shape(oid, lsn);
            if (shape.delivered()) {
                RelationMetadata r = shape.metadata();
                listener.onChange(ChangeEvent.truncate(r.schema(), r.table(), lsn, commitLsn, xid, commitTime,
                        m.cascade(), m.restartIdentity()), shape, transaction, 0);
            }
        }
    }

    /**
     * A transactional message belongs to the open transaction. A non-transactional one arrives between transactions;
     * it becomes a transaction of its own whose end is the message's LSN (the end of its WAL record: the server skips
     * it on restart once the slot is confirmed there), so the slot is never confirmed past it before its batch
     * completed, and is confirmed past it once it did (docs/delivery.md).
     */
    private void onMessage(PgOutputMessage.LogicalMessage m, long lsn) {
        if (COMPONENT_PREFIX.equals(m.prefix())) {
            listener.onComponentMessage(m.content(), m.transactional(), m.lsn(), inTransaction ? transaction : 0);
            return;
        }
        if (!deliverMessages) {
            return;
        }
        if (inTransaction) {
            // (pgoutput sends non-transactional messages only between transactions unless streaming, which is never
            // requested; one inside would simply wait for the transaction's end to be confirmed.)
            listener.onChange(ChangeEvent.message(m.lsn(), commitLsn, xid, commitTime, m.prefix(), m.content(),
                    m.transactional()), MESSAGES, transaction, m.content().length);
            return;
        }
        transaction++;
        listener.onChange(ChangeEvent.message(m.lsn(), m.lsn(), 0, 0, m.prefix(), m.content(), false), MESSAGES,
                transaction, m.content().length);
        listener.onCommit(transaction, m.lsn());
    }

    private void change(TableShape shape, Operation op, long lsn, Map<String, Object> key, RowMap before,
                        RowMap after, List<String> toast) {
        shape.dropKeyOnly(before);
        shape.dropKeyOnly(after);
        RelationMetadata r = shape.metadata();
        ChangeEvent e = new ChangeEvent(op, r.schema(), r.table(), lsn, commitLsn, xid, commitTime, key, before,
                after, toast);
        long bytes = changeBytes;
        changeBytes = 0;
        listener.onChange(e, shape, transaction, bytes);
    }

    private TableShape shape(int oid, long lsn) {
        // Changes come in runs of one table: skip the boxed map look-up while the table stays the same.
        if (lastShape != null && lastOid == oid) {
            return lastShape;
        }
        TableShape shape = shapes.get(oid);
        if (shape == null) {
            // The server always sends a Relation before the first change of a table on a connection.
            throw new IllegalStateException("Change for relation OID " + oid + " at LSN "
                                            + Lsn.format(lsn)
                                            + " arrived before its Relation message");
        }
        lastOid = oid;
        lastShape = shape;
        return shape;
    }

    /**
     * Decodes a tuple into {@code row}. Unchanged TOAST columns are taken from {@code before} when it has them;
     * otherwise they are left out and returned, never reported as null.
     */
    private List<String> fill(TableShape shape, TupleData tuple, RowMap row, RowMap before) {
        List<String> unchanged = null;
        int n = Math.min(tuple.size(), shape.columnCount());
        for (int i = 0; i < n; i++) {
            if (shape.skipped(i)) {
                continue;
            }
            byte kind = tuple.kind(i);
            if (kind == TupleData.TEXT || kind == TupleData.BINARY) {
                row.set(i, decode(shape, tuple, i));
            } else if (kind == TupleData.NULL) {
                row.set(i, null);
            } else if (kind == TupleData.UNCHANGED_TOAST) {
                if (before != null && before.has(i)) {
                    row.set(i, before.valueAt(i));
                } else {
                    if (unchanged == null) {
                        unchanged = new ArrayList<>(2);
                    }
                    unchanged.add(shape.name(i));
                }
            }
        }
        return unchanged;
    }

    /** The old row as the server sent it: the full row ('O') or only the key columns ('K'); null when absent. */
    private RowMap oldRow(TableShape shape, TupleData oldKey, TupleData oldRow) {
        if (oldRow != null) {
            RowMap before = new RowMap(shape);
            fill(shape, oldRow, before, null);
            return before;
        }
        if (oldKey != null) {
            RowMap before = new RowMap(shape);
            for (int i = 0; i < Math.min(oldKey.size(), shape.columnCount()); i++) {
                if (!shape.skipped(i) && (oldKey.kind(i) == TupleData.TEXT || oldKey.kind(i) == TupleData.BINARY)) {
                    before.set(i, decode(shape, oldKey, i));
                }
            }
            return before;
        }
        return null;
    }

    /**
     * Column {@code i} of a tuple, a 't' or 'b' value, decoded where it lies in the message; its length counts
     * towards the change's size.
     */
    private Object decode(TableShape shape, TupleData tuple, int i) {
        ValueDecoder decoder = shape.decoder(i);
        changeBytes += tuple.length(i);
        return tuple.kind(i) == TupleData.TEXT
                ? decoder.decodeText(tuple.data(), tuple.offset(i), tuple.length(i))
                : decoder.decodeBinary(tuple.data(), tuple.offset(i), tuple.length(i));
    }
}
