package io.pgreplication.camel;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.lsn.Lsn;

/**
 * What the routes did with the batches, for JMX and the metrics: changes and batches completed, batches failed, and the
 * commit times of the newest completed change and of the newest change the slot is confirmed past. The slot is
 * confirmed to transaction ends, so a completed batch counts as confirmed once the confirmed position passes its commit
 * LSN.
 */
final class DeliveryStats {

    /** Commit times kept for the confirmed lag; far more than the batches that can be in flight at once. */
    static final int MAX_UNCONFIRMED = 10_000;

    private final LongAdder changes = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder failedBatches = new LongAdder();
    /** Commit times of completed transactions not yet known to be confirmed, by commit LSN; guarded by this. */
    private final TreeMap<Long, Instant> unconfirmed = new TreeMap<>();
    private volatile Instant newestDelivered;
    private volatile Instant newestConfirmed;

    /** A batch the route completed (or whose failure it handled); {@code confirmed} is the slot's position now. */
    void delivered(Batch batch, Lsn confirmed) {
        ChangeEvent last = batch.last();
        delivered(batch.events().size(), last.commitLsnValue(), last.commitInstant(), confirmed);
    }

    /** {@code committed} is null for snapshot rows, which have no commit time. */
    void delivered(int changeCount, long commitLsn, Instant committed, Lsn confirmed) {
        changes.add(changeCount);
        batches.increment();
        if (committed != null) {
            remember(commitLsn, committed);
        }
        confirmedUpTo(confirmed);
    }

    /** Routes complete batches on their own threads: one lock per batch, never per change. */
    private synchronized void remember(long commitLsn, Instant committed) {
        if (newestDelivered == null || committed.isAfter(newestDelivered)) {
            newestDelivered = committed;
        }
        unconfirmed.merge(commitLsn, committed, (a, b) -> a.isAfter(b) ? a : b);
        // The slot confirms what completed within moments; it stays behind only with flushSlot=false or a route
        // holding a batch. The oldest entries are dropped then: they only make the confirmed lag older.
        if (unconfirmed.size() > MAX_UNCONFIRMED) {
            unconfirmed.pollFirstEntry();
        }
    }

    /** A batch whose exchange failed: the stream is reopened and it comes again. */
    void failed() {
        failedBatches.increment();
    }

    long failedBatches() {
        return failedBatches.sum();
    }

    long changes() {
        return changes.sum();
    }

    long batches() {
        return batches.sum();
    }

    /** The commit time of the newest change a route completed; null before the first. */
    Instant newestDelivered() {
        return newestDelivered;
    }

    /** The commit time of the newest completed change the slot is confirmed past; null before the first. */
    Instant newestConfirmed(Lsn confirmed) {
        confirmedUpTo(confirmed);
        return newestConfirmed;
    }

    /** Commit times kept until the slot passes them. */
    synchronized int unconfirmedCount() {
        return unconfirmed.size();
    }

    private synchronized void confirmedUpTo(Lsn confirmed) {
        if (confirmed == null || !confirmed.isValid()) {
            return;
        }
        Map<Long, Instant> passed = unconfirmed.headMap(confirmed.value(), false);
        Instant newest = newestConfirmed;
        for (Instant t : passed.values()) {
            if (newest == null || t.isAfter(newest)) {
                newest = t;
            }
        }
        newestConfirmed = newest;
        passed.clear();
    }
}
