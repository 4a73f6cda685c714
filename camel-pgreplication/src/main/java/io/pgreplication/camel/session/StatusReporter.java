package io.pgreplication.camel.session;

import java.sql.SQLException;
import java.time.Duration;

import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that touches the flushed position of a stream and sends status updates: it moves the position the
 * server is told forward as far as the flush tracker allows (never past a batch a route has not completed), publishes
 * it, records it in the offset store ({@link OffsetRecorder}), and keeps the connection alive while routes are busy.
 * With {@code flushSlot=false} the slot is never moved, and nothing is recorded past where the stream started.
 */
final class StatusReporter {

    private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);

    private final String slot;
    private final ReplicationStream stream;
    private final FlushTracker tracker;
    private final boolean flushSlot;
    private final StatusBoard board;
    private final OffsetRecorder offsets;
    private long confirmed;

    /** {@code start} is where the stream started: the slot's confirmed position. */
    StatusReporter(String slot, ReplicationStream stream, FlushTracker tracker, boolean flushSlot, StatusBoard board,
                   Lsn start, OffsetRecorder offsets) {
        this.slot = slot;
        this.stream = stream;
        this.tracker = tracker;
        this.flushSlot = flushSlot;
        this.board = board;
        this.offsets = offsets;
        this.confirmed = start.value();
    }

    /** Takes what the tracker allows as confirmed, for the next status update (pgjdbc sends one every interval). */
    void report() {
        long c = tracker.confirmed();
        if (Long.compareUnsigned(c, confirmed) > 0) {
            confirmed = c;
            Lsn lsn = Lsn.of(c);
            board.update(s -> s.confirmedAt(lsn));
            if (flushSlot) {
                offsets.confirmed(lsn);
            }
        }
        if (flushSlot && c != 0) {
            stream.setFlushed(confirmed);
        }
    }

    /** Reports and sends a status update now: the server hears from the client while routes are busy. */
    void keepAlive() throws SQLException {
        report();
        stream.forceStatus();
    }

    /**
     * After the read loop: lets batches already given to a route finish, keeping the connection alive meanwhile, then
     * confirms what they completed. Queued batches no route has started are dropped: they stay unconfirmed and are
     * streamed again.
     */
    void finish(BatchDispatcher dispatcher, Duration keepalive) {
        dispatcher.discardQueued();
        try {
            while (!dispatcher.awaitIdle(keepalive)) {
                if (!stream.isClosed()) {
                    stream.forceStatus();
                }
            }
            report();
            if (!stream.isClosed()) {
                stream.forceStatus();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            LOG.debug("slot={} could not send the final status update: {}", slot, e.getMessage());
        }
        if (flushSlot) {
            offsets.ended(confirmed());
        }
    }

    /** The newest position confirmed to the server: where the next stream starts. */
    Lsn confirmed() {
        return Lsn.of(confirmed);
    }
}
