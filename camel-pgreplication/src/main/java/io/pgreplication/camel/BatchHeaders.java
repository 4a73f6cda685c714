package io.pgreplication.camel;

import io.pgreplication.camel.event.RelationMetadata;
import org.apache.camel.Message;

/** The headers of a batch message, streamed or snapshot, consumer or producer: set in this one place. */
final class BatchHeaders {

    private BatchHeaders() {
    }

    /**
     * @param lsn       the LSN of the batch's last change
     * @param commitLsn the commit LSN of the transaction of the batch's last change
     * @param backfill  the backfill the snapshot rows belong to, or null
     */
    static void set(Message message, RelationMetadata relation, String lsn, String commitLsn, String slot,
                    String publication, boolean snapshot, String backfill) {
        message.setHeader(PgReplicationConstants.TABLE, relation.qualifiedName());
        message.setHeader(PgReplicationConstants.LSN, lsn);
        message.setHeader(PgReplicationConstants.COMMIT_LSN, commitLsn);
        message.setHeader(PgReplicationConstants.SLOT, slot);
        message.setHeader(PgReplicationConstants.PUBLICATION, publication);
        message.setHeader(PgReplicationConstants.KEY_COLUMNS, relation.keyColumns());
        message.setHeader(PgReplicationConstants.RELATION, relation);
        message.setHeader(PgReplicationConstants.SNAPSHOT, snapshot);
        if (backfill != null) {
            message.setHeader(PgReplicationConstants.BACKFILL, backfill);
        }
    }
}
