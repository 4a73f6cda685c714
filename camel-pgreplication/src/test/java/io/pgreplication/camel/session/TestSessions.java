package io.pgreplication.camel.session;

import java.time.Duration;
import java.util.List;

import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.server.OffsetStore;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.IncludeColumns;

/** Session options and opened streams for tests that run the session's parts against fakes. */
final class TestSessions {

    static final ServerCapabilities PG17 = new ServerCapabilities(170005);

    private TestSessions() {
    }

    /** Slot s1, every table, batches of up to 1000 changes, reconnecting after 1 ms then 2 ms, at most 4 ms. */
    static SessionOptions options(SnapshotMode snapshotMode) {
        return options(snapshotMode, 1000);
    }

    static SessionOptions options(SnapshotMode snapshotMode, int batchSize) {
        return new SessionOptions(ConnectionSettings.of("jdbc:postgresql://localhost:5432/shop", "app", null),
                new ReplicationSetup.Request("s1", "s1", List.of(), "insert, update, delete, truncate", true, true,
                        false, true),
                IncludeColumns.ALL, new SessionOptions.Stream(null, false, true, Duration.ofSeconds(10)),
                new SessionOptions.Batching(batchSize, 64L << 20, Duration.ofMillis(100)),
                new SessionOptions.Reconnect(Duration.ofMillis(1), Duration.ofMillis(4)),
                new SessionOptions.Snapshot(snapshotMode, 2), OffsetStore.NONE);
    }

    /** Recording nowhere. */
    static OffsetRecorder noOffsets() {
        return new OffsetRecorder(OffsetStore.NONE, "s1", Duration.ofSeconds(10), System::nanoTime);
    }

    /** A stream opened from {@code start} on a PostgreSQL 17 server of unknown identity. */
    static OpenedStream opened(Lsn start, ReplicationStream stream, boolean binary, Catalog catalog) {
        Liveness neverSuspects = (heard, lsn) -> {
        };
        return new OpenedStream(stream, PG17, null, start, binary, Duration.ofMillis(1), neverSuspects, catalog, null);
    }
}
