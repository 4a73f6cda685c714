package io.pgreplication.camel.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.event.ChangeEvent;

/**
 * The streamed changes of tables being backfilled, held back in stream order until their backfill's snapshot is out
 * (docs/delivery.md, "Online backfill"), with what they add up to: {@link Backfills} pauses the reading when they
 * reach its limits. Reading thread only.
 */
final class HeldChanges {

    private final ArrayDeque<Batch> held = new ArrayDeque<>();
    private final int changesLimit;
    private final long bytesLimit;
    private int changes;
    private long bytes;

    HeldChanges(int changesLimit, long bytesLimit) {
        this.changesLimit = changesLimit;
        this.bytesLimit = bytesLimit;
    }

    /** Holds a batch of a table {@code owner} backfills, less what its snapshot holds once its point is known. */
    void hold(Batch batch, Backfill owner) {
        Batch kept = owner.point() == null ? batch : trim(batch, owner);
        if (kept != null) {
            add(kept);
        }
    }

    /** True when so many changes are held that reading must pause until the running backfill's snapshot is out. */
    boolean full() {
        return changes >= changesLimit || bytes >= bytesLimit;
    }

    /** The snapshot point of {@code b} is known: its tables' held changes committed before it are in the snapshot. */
    void trim(Backfill b, Map<Integer, Backfill> owners) {
        for (int i = held.size(); i > 0; i--) {
            Batch batch = take();
            if (owners.get(batch.relation().oid()) == b) {
                batch = trim(batch, b);
                if (batch == null) {
                    continue;
                }
            }
            add(batch);
        }
    }

    /** Hands the held batches of the tables {@code b} backfilled to {@code out}, in order; returns their changes. */
    int release(Backfill b, Map<Integer, Backfill> owners, Consumer<Batch> out) {
        int released = 0;
        for (int i = held.size(); i > 0; i--) {
            Batch batch = take();
            if (owners.get(batch.relation().oid()) == b) {
                released += batch.events().size();
                out.accept(batch);
            } else {
                add(batch);
            }
        }
        return released;
    }

    /** Forgets every held batch: after the stream ended they stay unconfirmed and come again. */
    void clear() {
        held.clear();
        changes = 0;
        bytes = 0;
    }

    private void add(Batch batch) {
        held.add(batch);
        changes += batch.events().size();
        bytes += batch.bytes();
    }

    private Batch take() {
        Batch batch = held.poll();
        changes -= batch.events().size();
        bytes -= batch.bytes();
        return batch;
    }

    /**
     * The batch without its changes committed before the backfill's consistent point; null when none is left, its
     * ticket then completed (nothing of it is delivered: the snapshot holds its changes).
     */
    private static Batch trim(Batch batch, Backfill owner) {
        List<ChangeEvent> kept = new ArrayList<>(batch.events().size());
        for (ChangeEvent e : batch.events()) {
            if (!owner.snapshotHolds(e.commitLsnValue())) {
                kept.add(e);
            }
        }
        owner.dropped += batch.events().size() - kept.size();
        if (kept.size() == batch.events().size()) {
            return batch;
        }
        if (kept.isEmpty()) {
            batch.ticket().complete();
            return null;
        }
        // The changes' own sizes are not kept: the kept ones are counted at their share of the batch.
        long keptBytes = batch.bytes() * kept.size() / batch.events().size();
        return new Batch(batch.relation(), kept, batch.ticket(), keptBytes, batch.backfill());
    }
}
