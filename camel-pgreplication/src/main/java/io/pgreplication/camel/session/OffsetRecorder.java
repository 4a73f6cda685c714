package io.pgreplication.camel.session;

import java.time.Duration;
import java.util.function.LongSupplier;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.OffsetStore;
import io.pgreplication.camel.server.ServerIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a session's confirmed position to its {@link OffsetStore}: when a stream starts on a server it has not
 * recorded yet, then at most once per {@code statusInterval} while the position moves, and when a stream ends. A
 * failing store is logged and does not stop streaming: it only leaves the recorded position behind.
 */
final class OffsetRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetRecorder.class);

    private final OffsetStore store;
    private final String slot;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private String systemIdentifier;
    private Lsn recorded = Lsn.INVALID;
    private long recordedAt;
    private boolean failing;

    OffsetRecorder(OffsetStore store, String slot, Duration interval, LongSupplier nanoTime) {
        this.store = store;
        this.slot = slot;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** A stream starts on {@code server} from {@code start}: recorded at once when the server is new to the session. */
    void streaming(ServerIdentity server, Lsn start) {
        if (!store.isConfigured() || server == null) {
            return;
        }
        if (!server.systemIdentifier().equals(systemIdentifier)) {
            systemIdentifier = server.systemIdentifier();
            recorded = Lsn.INVALID;
            if (start.isValid()) {
                write(start);
            }
        }
    }

    /** The confirmed position moved; recorded if the last record is at least one interval old. */
    void confirmed(Lsn confirmed) {
        if (systemIdentifier != null && confirmed.isAfter(recorded)
            && nanoTime.getAsLong() - recordedAt >= intervalNanos) {
            write(confirmed);
        }
    }

    /** The stream ended (stopped or failed): the final confirmed position is recorded. */
    void ended(Lsn confirmed) {
        if (systemIdentifier != null && confirmed.isAfter(recorded)) {
            write(confirmed);
        }
    }

    private void write(Lsn position) {
        try {
            store.record(slot, systemIdentifier, position);
            recorded = position;
            recordedAt = nanoTime.getAsLong();
            if (failing) {
                failing = false;
                LOG.info("slot={} the offsetRepository records positions again ({})", slot, position);
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("slot={} cannot record the confirmed position {} in the offsetRepository: {}; streaming goes"
                         + " on, the recorded position stays at {}", slot, position, e.getMessage(), recorded);
            }
        }
    }
}
