package io.pgreplication.camel.session;

import java.util.Map;

import io.pgreplication.camel.admin.BackfillRequest;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.table.TableSpec;

/**
 * One backfill request the stream accepted: what the reading thread ({@link Backfills}, which holds back the tables'
 * streamed changes) and the worker reading the tables ({@link BackfillSnapshot}) share. The worker publishes its
 * progress here (the consistent point, every snapshot batch handed out, failure, end); each step wakes the reading
 * thread's bookkeeping through {@code changed}.
 */
final class Backfill {

    private final BackfillRequest request;
    private final Map<Integer, TableSpec> tables;
    private final FlushTracker.Ticket guard;
    private final Runnable changed;
    private volatile Lsn point;
    private volatile boolean offered;
    private volatile Throwable failure;
    private volatile boolean ended;
    /** Streamed changes dropped because the snapshot holds them; counted by the reading thread only. */
    long dropped;

    /**
     * @param tables  the requested tables this consumer delivers, by OID
     * @param guard   the claim on the slot's confirmed position, opened for the request's transaction: the slot is not
     *                confirmed past the request until it completes (every snapshot batch completed)
     * @param changed called after each step of the worker
     */
    Backfill(BackfillRequest request, Map<Integer, TableSpec> tables, FlushTracker.Ticket guard, Runnable changed) {
        this.request = request;
        this.tables = Map.copyOf(tables);
        this.guard = guard;
        this.changed = changed;
    }

    String id() {
        return request.id();
    }

    /** The tables to read, by OID. */
    Map<Integer, TableSpec> tables() {
        return tables;
    }

    /** What the backfill's snapshot reads: its tables, by OID (whatever their names by then). */
    TableFilter filter() {
        return (oid, schema, table) -> tables.containsKey(oid);
    }

    FlushTracker.Ticket guard() {
        return guard;
    }

    /** The consistent point of the backfill's snapshot; null until it was exported. */
    Lsn point() {
        return point;
    }

    /** True when the snapshot holds a change committed at {@code commitLsn}: committed before its known point. */
    boolean snapshotHolds(long commitLsn) {
        Lsn p = point;
        return p != null && Long.compareUnsigned(commitLsn, p.value()) < 0;
    }

    /** True once every snapshot batch was handed to the routes. */
    boolean offered() {
        return offered;
    }

    /** Why the worker failed, or null. */
    Throwable failure() {
        return failure;
    }

    /** True once the worker ended: completed, failed or stopped. */
    boolean ended() {
        return ended;
    }

    void exported(Lsn consistentPoint) {
        point = consistentPoint;
        changed.run();
    }

    void allOffered() {
        offered = true;
        changed.run();
    }

    void failed(Throwable e) {
        failure = e;
        guard.fail();
        changed.run();
    }

    void end() {
        ended = true;
        changed.run();
    }

    @Override
    public String toString() {
        return request.id() + " of " + tables.values().stream().map(TableSpec::toString).sorted().toList();
    }
}
