package io.pgreplication.camel.it.faults;

import io.pgreplication.camel.PgReplicationConstants;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The route of the backfill fault tests: batches of the streamed table go to its {@link DurableSink}, those of the
 * backfilled table to its {@link EventLogSink}; snapshot batches of a backfill take {@code snapshotDelayMillis} more,
 * so a fault lands inside the backfill.
 */
public final class BackfillSinks implements Processor {

    private final String streamedTable;
    private final DurableSink streamed;
    private final EventLogSink backfilled;
    private final long snapshotDelayMillis;

    /** @param streamedTable {@code schema.table} of the table whose batches go to {@code streamed} */
    public BackfillSinks(String streamedTable, DurableSink streamed, EventLogSink backfilled, long snapshotDelayMillis) {
        this.streamedTable = streamedTable;
        this.streamed = streamed;
        this.backfilled = backfilled;
        this.snapshotDelayMillis = snapshotDelayMillis;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        if (streamedTable.equals(exchange.getMessage().getHeader(PgReplicationConstants.TABLE))) {
            streamed.process(exchange);
            return;
        }
        if (exchange.getMessage().getHeader(PgReplicationConstants.BACKFILL) != null) {
            Thread.sleep(snapshotDelayMillis);
        }
        backfilled.process(exchange);
    }
}
