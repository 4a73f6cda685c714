package io.pgreplication.camel.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.snapshot.SnapshotReader;

/** An exported snapshot of {@code batches} one-row batches of public.orders; it records what was done with it. */
final class FakeSnapshotSource implements SnapshotSource, SnapshotSource.Exported {

    private static final RelationMetadata ORDERS = new RelationMetadata("public", "orders", 16400, "default",
            List.of());

    private final Lsn point;
    private final int batches;
    private volatile String persistedAs;
    private volatile boolean closed;
    private volatile boolean readStoppedEarly;
    private volatile Error failure;

    FakeSnapshotSource(Lsn point, int batches) {
        this.point = point;
        this.batches = batches;
    }

    @Override
    public boolean slotExists() {
        return false;
    }

    @Override
    public Exported export() {
        return this;
    }

    @Override
    public Lsn consistentPoint() {
        return point;
    }

    @Override
    public SnapshotReader.Summary read(SnapshotReader.Sink sink, BooleanSupplier stop) throws InterruptedException {
        for (int i = 0; i < batches; i++) {
            List<ChangeEvent> rows = new ArrayList<>();
            rows.add(ChangeEvent.snapshot("public", "orders", point.value(), Map.of("id", i), Map.of("id", i)));
            if (i == 1 && failure != null) {
                throw failure;
            }
            if (stop.getAsBoolean() || !sink.accept(ORDERS, rows, 1)) {
                readStoppedEarly = true;
                return null;
            }
        }
        return new SnapshotReader.Summary(1, batches, 1);
    }

    @Override
    public void persistAs(String slot, boolean failover) {
        persistedAs = slot;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Reading throws {@code error} after the first batch, as a worker that ran out of memory. */
    FakeSnapshotSource failingWith(Error error) {
        this.failure = error;
        return this;
    }

    String persistedAs() {
        return persistedAs;
    }

    boolean closed() {
        return closed;
    }

    boolean readStoppedEarly() {
        return readStoppedEarly;
    }
}
