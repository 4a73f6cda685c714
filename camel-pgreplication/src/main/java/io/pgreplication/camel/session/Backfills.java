package io.pgreplication.camel.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

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
    private final BackfillRequestCheck requests;
    private final Launcher launcher;
    private final StatusBoard board;
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
    private final HeldChanges held;
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
        this.requests = new BackfillRequestCheck(slot, filter, oids);
        this.launcher = launcher;
        this.board = board;
        this.held = new HeldChanges(heldLimit, heldBytesLimit);
    }

    @Override
    public void onChange(ChangeEvent event, TableShape shape, long transaction, long bytes) {
        if (!owners.isEmpty()) {
            Backfill owner = ownerOf(shape);
            if (owner != null && owner.snapshotHolds(event.commitLsnValue())) {
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
        BackfillRequestCheck.Accepted accepted = requests.check(content, transactional, lsn);
        if (accepted == null) {
            return;
        }
        // Opened for the request's transaction: the slot is not confirmed past it until the backfill completed.
        FlushTracker.Ticket guard = tracker.open(transaction);
        Backfill backfill = new Backfill(accepted.request(), accepted.tables(), guard, () -> changed.set(true));
        inTransaction.add(backfill);
        LOG.info("slot={} backfill {} requested at {}", slot, backfill, Lsn.format(lsn));
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
        return held.full();
    }

    /** After the stream ended: forgets the batches not handed out, held ones too; they stay unconfirmed. */
    void dropAll() {
        held.clear();
        ready.clear();
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
                held.trim(b, owners);
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
        Backfill owner = owners.isEmpty() ? null : owners.get(batch.relation().oid());
        if (owner == null) {
            return batch;
        }
        held.hold(batch, owner);
        return null;
    }

    /** Every snapshot batch of {@code b} is out: its tables' held changes follow, and they stream normally again. */
    private void release(Backfill b) {
        int released = held.release(b, owners, ready::add);
        owners.values().removeIf(owner -> owner == b);
        lastShape = null;
        LOG.info("slot={} backfill {}: every snapshot row is out; {} streamed changes committed before {} were"
                 + " dropped (the snapshot holds them), {} held back changes follow", slot, b.id(), b.dropped,
                b.point(), released);
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
