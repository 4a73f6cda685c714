package io.pgreplication.camel.batch;

import java.util.List;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import io.pgreplication.camel.lsn.FlushTracker;

/**
 * Changes of one table, in commit order, delivered as one exchange. {@code ticket} is its claim on the slot's
 * confirmed position: complete or fail it exactly once when the exchange is done. {@code bytes} is the length of the
 * values its changes were decoded from, as the server sent them: what bounds memory in bytes.
 */
public record Batch(RelationMetadata relation, List<ChangeEvent> events, FlushTracker.Ticket ticket, long bytes) {

    /** The last change of the batch. */
    public ChangeEvent last() {
        return events.get(events.size() - 1);
    }
}
