package io.pgreplication.camel;

import org.apache.camel.spi.Metadata;

/**
 * Headers of the exchanges a {@code pgreplication:} consumer sends, one exchange per batch, and of the management
 * producer.
 */
public final class PgReplicationConstants {

    @Metadata(label = "consumer", description = "The table of the batch, schema.table.", javaType = "String",
              important = true)
    public static final String TABLE = "CamelPgReplicationTable";

    @Metadata(label = "consumer,producer",
              description = "The LSN of the last change in the batch, X/XXXXXXXX. Producer: the snapshot's consistent"
                            + " point (operation=snapshot), the request's LSN (operation=backfill).",
              javaType = "String", important = true)
    public static final String LSN = "CamelPgReplicationLsn";

    @Metadata(label = "consumer",
              description = "The commit LSN of the transaction of the last change in the batch: the same for every"
                            + " change of a transaction and increasing from one transaction to the next.",
              javaType = "String")
    public static final String COMMIT_LSN = "CamelPgReplicationCommitLsn";

    @Metadata(label = "consumer", description = "The replication slot name.", javaType = "String")
    public static final String SLOT = "CamelPgReplicationSlot";

    @Metadata(label = "consumer", description = "The publication name.", javaType = "String")
    public static final String PUBLICATION = "CamelPgReplicationPublication";

    @Metadata(label = "consumer",
              description = "The table's key columns: its primary key, otherwise its replica identity columns.",
              javaType = "java.util.List<String>")
    public static final String KEY_COLUMNS = "CamelPgReplicationKeyColumns";

    @Metadata(label = "consumer",
              description = "The table's columns as of this batch: name, type name, type OID, typmod, key flag.",
              javaType = "io.pgreplication.camel.event.RelationMetadata")
    public static final String RELATION = "CamelPgReplicationRelation";

    @Metadata(label = "consumer", description = "True on snapshot batches, false on streamed batches.",
              javaType = "Boolean")
    public static final String SNAPSHOT = "CamelPgReplicationSnapshot";

    @Metadata(label = "consumer,producer",
              description = "Consumer: on the snapshot batches of an online backfill, the backfill's request id (absent"
                            + " on every other batch). Producer: the id of the request operation=backfill wrote.",
              javaType = "String")
    public static final String BACKFILL = "CamelPgReplicationBackfill";

    @Metadata(label = "producer",
              description = "The management operation to run; overrides the endpoint's operation option: status,"
                            + " createSlot, dropSlot, createPublication, dropPublication, advanceSlot, snapshot or"
                            + " backfill.",
              javaType = "String")
    public static final String OPERATION = "CamelPgReplicationOperation";

    @Metadata(label = "producer",
              description = "advanceSlot: the LSN (X/XXXXXXXX) to move the slot's confirmed position to. Use the end"
                            + " of a transaction your sink has durably applied; the server skips every change"
                            + " committed before it.",
              javaType = "String")
    public static final String ADVANCE_LSN = "CamelPgReplicationAdvanceLsn";

    private PgReplicationConstants() {
    }
}
