package io.pgreplication.camel.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.pgreplication.camel.admin.BackfillRequest;
import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.batch.Batcher;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.event.TableShape;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.table.TableSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online backfills of one stream, on its reading thread (docs/delivery.md, "Online backfill"). Sits between the
 * assembler and the batcher:
 * <ul>
 * <li>a backfill request read in the stream is checked (transactional, this slot, tables this consumer delivers) and
 * takes effect at its transaction's Commit: the batches open then are closed and handed out first, and from then on
 * the requested tables' streamed changes are held back;</li>
 * <li>one backfill at a time, a worker ({@link Launcher}) reads the tables in an exported snapshot at consistent point
 * S; once S is known, held and later changes of those tables committed before S are dropped (the snapshot holds
 * them);</li>
 * <li>once every snapshot batch was handed out, the held changes (committed from S on) follow, in order, and the
 * tables stream normally again.</li>
 * </ul>
 * So per table a route gets the changes up to the request, the snapshot rows, then the changes from S on. At most
 * {@code heldLimit} changes are held; past that the reading pauses ({@link #mustPause()}) until the snapshot is out.
 * The request's guard ticket keeps the slot from being confirmed past the request until every snapshot batch
 * completed. Not thread-safe, except for the workers' progress, which arrives through {@link Backfill}.
 */
final class Backfills implements EventAssembler.Listener {

    /** Starts reading a backfill's tables, on a thread of its own. */
    @FunctionalInterface
    interface Launcher {
        void launch(Backfill backfill);
    }

    /** The OID of a table as named now, 0 when there is none. */
    @FunctionalInterface
    interface TableOids {
        int oidOf(TableSpec table);
    }

    /** Held changes may reach this many times batchSize (and maxBatchBytes in all) before the reading pauses. */
    static final int HELD_FACTOR = 16;
    private static final Logger LOG = LoggerFactory.getLogger(Backfills.class);

    private final String slot;
    private final Batcher batcher;
    private final FlushTracker tracker;
    private final TableFilter filter;
    private final TableOids oids;
    private final Launcher launcher;
    private final StatusBoard board;
    private final int heldLimit;
    private final long heldBytesLimit;
    private final AtomicBoolean changed = new AtomicBoolean();

    /** Requests read in the open transaction: they take effect at its Commit. */
    private final List<Backfill> inTransaction = new ArrayList<>();
    /** Requests in effect whose worker has not started, in stream order. */
    private final ArrayDeque<Backfill> waiting = new ArrayDeque<>();
    private Backfill running;
    private boolean runningPointApplied;
    private boolean runningReleased;
    /** Which backfill a table's streamed changes wait for, by table OID: the latest request naming it. */
    private final Map<Integer, Backfill> owners = new HashMap<>();
    private final ArrayDeque<Batch> held = new ArrayDeque<>();
    private int heldChanges;
    private long heldBytes;
    /** Batches to hand out before the batcher's next ones: those closed at a request, those released. */
    private final ArrayDeque<Batch> ready = new ArrayDeque<>();
    private TableShape lastShape;
    private Backfill lastOwner;
    private Throwable failure;

    /**
     * @param filter the tables this consumer delivers: a request for others is skipped
     * @param oids   finds the requested tables (asked once per request, on the reading thread)
     * @param heldLimit      changes held back at most before the reading pauses
     * @param heldBytesLimit bytes held back at most before the reading pauses (maxBatchBytes)
     */
    Backfills(String slot, Batcher batcher, FlushTracker tracker, TableFilter filter, TableOids oids,
              Launcher launcher, StatusBoard board, int heldLimit, long heldBytesLimit) {
        this.slot = slot;
        this.batcher = batcher;
        this.tracker = tracker;
        this.filter = filter;
        this.oids = oids;
        this.launcher = launcher;
        this.board = board;
        this.heldLimit = heldLimit;
        this.heldBytesLimit = heldBytesLimit;
    }

    @Override
    public void onChange(ChangeEvent event, TableShape shape, long transaction, long bytes) {
        if (!owners.isEmpty()) {
            Backfill owner = ownerOf(shape);
            if (owner != null && owner.point() != null
                && Long.compareUnsigned(event.commitLsnValue(), owner.point().value()) < 0) {
                owner.dropped++;
                return; // committed before the snapshot's consistent point: the snapshot holds it
            }
        }
        batcher.onChange(event, shape, transaction, bytes);
    }

    @Override
    public void onCommit(long transaction, long endLsn) {
        batcher.onCommit(transaction, endLsn);
        if (!inTransaction.isEmpty()) {
            takeEffect();
        }
    }

    @Override
    public void onComponentMessage(byte[] content, boolean transactional, long lsn, long transaction) {
        String at = Lsn.format(lsn);
        if (!transactional) {
            LOG.warn("slot={} skipped a non-transactional {} message at {}: backfill requests are transactional"
                     + " (operation=backfill writes them so)", slot, BackfillRequest.PREFIX, at);
            return;
        }
        BackfillRequest request;
        try {
            request = BackfillRequest.parse(content);
        } catch (IllegalArgumentException e) {
            LOG.warn("slot={} skipped a malformed {} message at {}: {}", slot, BackfillRequest.PREFIX, at,
                    e.getMessage());
            return;
        }
        if (!slot.equals(request.slot())) {
            LOG.warn("slot={} skipped backfill request {} at {}: it is for slot {}", slot, request.id(), at,
                    request.slot());
            return;
        }
        Map<Integer, TableSpec> accepted = new HashMap<>();
        List<TableSpec> outside = new ArrayList<>();
        List<TableSpec> missing = new ArrayList<>();
        for (TableSpec t : request.tables()) {
            int oid = oids.oidOf(t);
            if (oid == 0) {
                missing.add(t);
            } else if (filter.accepts(oid, t.schema(), t.table())) {
                accepted.put(oid, t);
            } else {
                outside.add(t);
            }
        }
        if (!outside.isEmpty()) {
            LOG.warn("slot={} backfill request {} at {}: skipped {}, outside this consumer's tables", slot,
                    request.id(), at, outside);
        }
        if (!missing.isEmpty()) {
            LOG.warn("slot={} backfill request {} at {}: skipped {}, no such table", slot, request.id(), at,
                    missing);
        }
        if (accepted.isEmpty()) {
            return;
        }
        // Opened for the request's transaction: the slot is not confirmed past it until the backfill completed.
        FlushTracker.Ticket guard = tracker.open(transaction);
        inTransaction.add(new Backfill(request, accepted, guard, () -> changed.set(true)));
        LOG.info("slot={} backfill {} requested at {}", slot, inTransaction.get(inTransaction.size() - 1), at);
    }

    /** True when a batch waits to be handed out ({@link #poll()}). */
    boolean hasReady() {
        return !ready.isEmpty() || batcher.hasClosed();
    }

    /** The next batch to hand out, oldest first, or null; batches of tables being backfilled are held instead. */
    Batch poll() {
        Batch batch = ready.poll();
        if (batch != null) {
            return batch;
        }
        while ((batch = batcher.nextClosed()) != null) {
            batch = holdIfBackfilled(batch);
            if (batch != null) {
                return batch;
            }
        }
        return null;
    }

    /** True when so many changes are held that reading must pause until the running backfill's snapshot is out. */
    boolean mustPause() {
        return heldChanges >= heldLimit || heldBytes >= heldBytesLimit;
    }

    /** After the stream ended: forgets the batches not handed out, held ones too; they stay unconfirmed. */
    void dropAll() {
        held.clear();
        ready.clear();
        heldChanges = 0;
        heldBytes = 0;
    }

    /** Why a backfill failed, ending the stream; null while none did. */
    Throwable failure() {
        return failure;
    }

    /**
     * Takes in the workers' progress and starts the next backfill when none runs and every batch from before its
     * request was handed out. Called by the reading thread between reads; cheap when nothing changed.
     */
    void step() {
        if (!changed.get()) {
            return;
        }
        changed.set(false);
        Backfill b = running;
        if (b != null) {
            if (b.failure() != null) {
                failure = b.failure();
                return;
            }
            if (!runningPointApplied && b.point() != null) {
                runningPointApplied = true;
                sweep();
                trimHeld(b);
            }
            if (!runningReleased && b.offered()) {
                runningReleased = true;
                sweep();
                release(b);
            }
            if (b.ended()) {
                running = null;
                board.update(s -> s.backfilling(null));
            }
        }
        if (running == null && !waiting.isEmpty()) {
            if (hasReady()) {
                changed.set(true); // once the batches from before the request are out
                return;
            }
            start(waiting.poll());
        }
    }

    private void start(Backfill b) {
        running = b;
        runningPointApplied = false;
        runningReleased = false;
        board.update(s -> s.backfilling(b.toString()));
        launcher.launch(b);
    }

    /** The requests of the committed transaction take effect: earlier batches first, then their tables are held. */
    private void takeEffect() {
        sweep();
        for (Backfill b : inTransaction) {
            for (int oid : b.tables().keySet()) {
                owners.put(oid, b);
            }
            waiting.add(b);
        }
        inTransaction.clear();
        lastShape = null;
        changed.set(true);
    }

    /**
     * Closes every open batch and sorts the closed ones into held and ready, so that no change read before a step of
     * a backfill (its request, its point, its release) escapes it by still sitting in an open batch.
     */
    private void sweep() {
        batcher.closeAll();
        Batch batch;
        while ((batch = batcher.nextClosed()) != null) {
            batch = holdIfBackfilled(batch);
            if (batch != null) {
                ready.add(batch);
            }
        }
    }

    /** Holds a batch of a table being backfilled (dropping what the snapshot holds); returns it otherwise. */
    private Batch holdIfBackfilled(Batch batch) {
        if (owners.isEmpty()) {
            return batch;
        }
        Backfill owner = owners.get(batch.relation().oid());
        if (owner == null) {
            return batch;
        }
        Batch kept = owner.point() == null ? batch : trim(batch, owner);
        if (kept != null) {
            held.add(kept);
            heldChanges += kept.events().size();
            heldBytes += kept.bytes();
        }
        return null;
    }

    /** The snapshot's point is known: held changes committed before it are in the snapshot. */
    private void trimHeld(Backfill b) {
        for (int i = held.size(); i > 0; i--) {
            Batch batch = held.poll();
            if (owners.get(batch.relation().oid()) == b) {
                heldChanges -= batch.events().size();
                heldBytes -= batch.bytes();
                batch = trim(batch, b);
                if (batch == null) {
                    continue;
                }
                heldChanges += batch.events().size();
                heldBytes += batch.bytes();
            }
            held.add(batch);
        }
    }

    /** Every snapshot batch of {@code b} is out: its tables' held changes follow, and they stream normally again. */
    private void release(Backfill b) {
        int released = 0;
        for (int i = held.size(); i > 0; i--) {
            Batch batch = held.poll();
            if (owners.get(batch.relation().oid()) == b) {
                heldChanges -= batch.events().size();
                heldBytes -= batch.bytes();
                released += batch.events().size();
                ready.add(batch);
            } else {
                held.add(batch);
            }
        }
        owners.values().removeIf(owner -> owner == b);
        lastShape = null;
        LOG.info("slot={} backfill {}: every snapshot row is out; {} streamed changes committed before {} were"
                 + " dropped (the snapshot holds them), {} held back changes follow", slot, b.id(), b.dropped,
                b.point(), released);
    }

    /**
     * The batch without its changes committed before the backfill's consistent point; null when none is left, its
     * ticket then completed (nothing of it is delivered: the snapshot holds its changes).
     */
    private static Batch trim(Batch batch, Backfill owner) {
        long point = owner.point().value();
        List<ChangeEvent> kept = new ArrayList<>(batch.events().size());
        for (ChangeEvent e : batch.events()) {
            if (Long.compareUnsigned(e.commitLsnValue(), point) >= 0) {
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
        long bytes = batch.bytes() * kept.size() / batch.events().size();
        return new Batch(batch.relation(), kept, batch.ticket(), bytes, batch.backfill());
    }

    private Backfill ownerOf(TableShape shape) {
        // Changes come in runs of one table: look the owner up once per run.
        if (shape != lastShape) {
            lastShape = shape;
            lastOwner = owners.get(shape.metadata().oid());
        }
        return lastOwner;
    }
}
