package io.pgreplication.camel.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import io.pgreplication.camel.admin.SlotAdmin;
import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.snapshot.ExportedSnapshot;
import io.pgreplication.camel.snapshot.SnapshotReader;
import io.pgreplication.camel.snapshot.SnapshotScope;

/**
 * The server side of a snapshot that {@link InitialSnapshot} drives: export a consistent snapshot, read its tables,
 * make the permanent slot from it. An interface so the orchestration can be tested without a server.
 */
interface SnapshotSource {

    /** A snapshot is one "transaction" of a flush tracker of its own; it ends at the consistent point. */
    long SNAPSHOT_TRANSACTION = 1;
    /** How long one offer to a full dispatcher waits before the stop condition is checked again. */
    Duration OFFER_WAIT = Duration.ofMillis(100);

    /** True when the slot exists already (made meanwhile by another consumer of it): no snapshot is taken then. */
    boolean slotExists() throws SQLException;

    /** Exports a snapshot of the tables; the caller closes it. */
    Exported export() throws SQLException;

    /** An exported snapshot, alive until closed. */
    interface Exported extends AutoCloseable {

        /** Where streaming continues the snapshot. */
        Lsn consistentPoint();

        /** Reads every table into {@code sink}; null when stopped early by {@code stop} or the sink. */
        SnapshotReader.Summary read(SnapshotReader.Sink sink, BooleanSupplier stop)
                throws SQLException, InterruptedException;

        /**
         * Reads every table into batches offered to {@code dispatcher}, each holding a ticket of {@code tracker}'s
         * {@link #SNAPSHOT_TRANSACTION} and carrying {@code backfill} (an online backfill's id, or null). Null when
         * {@code stop} or a failed batch ended it early: the ticket of a batch not offered stays unfinished, so the
         * snapshot cannot complete.
         */
        default SnapshotReader.Summary offer(BatchDispatcher dispatcher, FlushTracker tracker, String backfill,
                                             BooleanSupplier stop) throws SQLException, InterruptedException {
            BooleanSupplier ended = () -> stop.getAsBoolean() || tracker.hasFailed();
            return read((relation, events, bytes) -> {
                Batch batch = new Batch(relation, events, tracker.open(SNAPSHOT_TRANSACTION), bytes, backfill);
                while (!dispatcher.offer(batch, OFFER_WAIT)) {
                    if (ended.getAsBoolean()) {
                        return false;
                    }
                }
                return true;
            }, ended);
        }

        /** Makes the permanent slot {@code slot} at the consistent point, with the failover property if asked. */
        void persistAs(String slot, boolean failover) throws SQLException;

        @Override
        void close();
    }

    /** Snapshots of a real server: a temporary exporting slot, read by {@link SnapshotReader}. */
    static SnapshotSource of(ConnectionSettings settings, String slot, SnapshotScope scope, Executor executor) {
        return new SnapshotSource() {
            @Override
            public boolean slotExists() throws SQLException {
                try (Connection c = settings.openRegular("camel-pgreplication setup " + slot)) {
                    return new SlotAdmin(c).slot(slot).isPresent();
                }
            }

            @Override
            public Exported export() throws SQLException {
                return exported(settings, slot, scope, executor, ExportedSnapshot.create(settings, slot));
            }
        };
    }

    private static Exported exported(ConnectionSettings settings, String slot, SnapshotScope scope,
                                     Executor executor, ExportedSnapshot exported) {
        return new Exported() {
            @Override
            public Lsn consistentPoint() {
                return exported.consistentPoint();
            }

            @Override
            public SnapshotReader.Summary read(SnapshotReader.Sink sink, BooleanSupplier stop)
                    throws SQLException, InterruptedException {
                return new SnapshotReader(settings, slot, exported, executor, stop).read(scope, sink);
            }

            @Override
            public void persistAs(String name, boolean failover) throws SQLException {
                exported.persistAs(name, failover);
            }

            @Override
            public void close() {
                exported.close();
            }
        };
    }
}
