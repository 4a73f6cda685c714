package io.pgreplication.camel.batch;

import java.util.List;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import io.pgreplication.camel.lsn.FlushTracker;

/**
 * Changes of one table, in commit order, delivered as one exchange. {@code ticket} is its claim on the slot's
 * confirmed position: complete or fail it exactly once when the exchange is done. {@code bytes} is the length of the
 * values its changes were decoded from, as the server sent them: what bounds memory in bytes.
 *
 * @param backfill the id of the online backfill whose snapshot rows the batch holds; null for every other batch
 */
public record Batch(RelationMetadata relation, List<ChangeEvent> events, FlushTracker.Ticket ticket, long bytes,
        String backfill) {

    /** A batch of streamed changes, or of the initial snapshot. */
    public Batch(RelationMetadata relation, List<ChangeEvent> events, FlushTracker.Ticket ticket, long bytes) {
        this(relation, events, ticket, bytes, null);
    }

    /** The last change of the batch. */
    public ChangeEvent last() {
        return events.get(events.size() - 1);
    }
}
