package io.pgreplication.camel;

import java.io.Closeable;
import java.util.Iterator;

import io.pgreplication.camel.event.OutputFormat;
import io.pgreplication.camel.snapshot.SnapshotBatches;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;

/**
 * The body of the producer's {@code snapshot}: its batches as messages with the consumer's headers and body format,
 * so a splitter keeps them per batch. Closing it drops the temporary slot.
 */
final class SnapshotMessages implements Iterator<Message>, Closeable {

    private final SnapshotBatches batches;
    private final CamelContext context;
    private final String slot;
    private final String publication;
    private final OutputFormat format;

    SnapshotMessages(SnapshotBatches batches, CamelContext context, String slot, String publication,
                     OutputFormat format) {
        this.batches = batches;
        this.format = format;
        this.context = context;
        this.slot = slot;
        this.publication = publication;
    }

    @Override
    public boolean hasNext() {
        return batches.hasNext();
    }

    @Override
    public Message next() {
        SnapshotBatches.Item item = batches.next();
        Message m = new DefaultMessage(context);
        m.setBody(format.body(item.events()));
        String lsn = batches.consistentPoint().toString();
        BatchHeaders.set(m, item.relation(), lsn, lsn, slot, publication, true, null);
        return m;
    }

    @Override
    public void close() {
        batches.close();
    }
}
