package io.pgreplication.camel;

import java.io.Closeable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;

import io.pgreplication.camel.admin.Management;
import io.pgreplication.camel.admin.ReplicationAdmin;
import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.event.OutputFormat;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.session.SessionOptions;
import io.pgreplication.camel.snapshot.SnapshotBatches;
import io.pgreplication.camel.table.TableSpec;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management producer (docs/user-guide.md): {@code to("pgreplication:slot?operation=status")}. The header
 * {@link PgReplicationConstants#OPERATION} overrides the endpoint's operation. Every operation but {@code snapshot}
 * returns the status map afterwards; {@code snapshot} returns a lazy, closeable iterator of batch messages for
 * {@code split(body()).streaming()}.
 */
public class PgReplicationProducer extends DefaultProducer {

    private static final Logger LOG = LoggerFactory.getLogger(PgReplicationProducer.class);

    private final SessionOptions options;

    public PgReplicationProducer(PgReplicationEndpoint endpoint) {
        super(endpoint);
        this.options = endpoint.options();
    }

    @Override
    public PgReplicationEndpoint getEndpoint() {
        return (PgReplicationEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        String operation = exchange.getMessage().getHeader(PgReplicationConstants.OPERATION,
                getEndpoint().getConfiguration().getOperation(), String.class);
        if (operation == null) {
            throw new IllegalArgumentException("slot=" + options.slot() + ": no management operation: set option"
                                               + " operation (status, createSlot, dropSlot, createPublication,"
                                               + " dropPublication, advanceSlot, snapshot) or header "
                                               + PgReplicationConstants.OPERATION);
        }
        String slot = options.slot();
        String publication = options.publication();
        Message out = exchange.getMessage();
        if ("snapshot".equals(operation)) {
            SnapshotBatches batches = startSnapshot();
            out.setBody(new BatchMessages(batches, exchange.getContext(), slot, publication, options.outputFormat()));
            out.setHeader(PgReplicationConstants.SNAPSHOT, true);
            out.setHeader(PgReplicationConstants.LSN, Lsn.format(batches.consistentPoint()));
            out.setHeader(PgReplicationConstants.SLOT, slot);
            out.setHeader(PgReplicationConstants.PUBLICATION, publication);
            return;
        }
        try (Connection c = options.connection().openRegular("camel-pgreplication manage " + slot)) {
            Management management = new Management(c);
            switch (operation) {
                case "status" -> {
                }
                case "createSlot" -> {
                    if (management.createSlotIfMissing(slot)) {
                        LOG.info("slot={} created the replication slot", slot);
                    }
                }
                case "dropSlot" -> new ReplicationAdmin(c).dropSlot(slot);
                case "createPublication" -> {
                    ReplicationSetup.Request r = options.setup();
                    ReplicationSetup.ensurePublication(options.connection(), new ReplicationSetup.Request(r.slot(),
                            r.publication(), r.tables(), r.publish(), true, false, false));
                }
                case "dropPublication" -> new ReplicationAdmin(c).dropPublication(publication);
                case "advanceSlot" -> {
                    String target = advanceTarget(exchange);
                    if (!management.advanceSlot(slot, target)) {
                        LOG.info("slot={} advanceSlot to {}: the slot is already there or past it; unchanged", slot,
                                target);
                    }
                }
                default -> throw new IllegalArgumentException("slot=" + slot + ": unknown operation '" + operation
                                                              + "': use status, createSlot, dropSlot,"
                                                              + " createPublication, dropPublication, advanceSlot"
                                                              + " or snapshot");
            }
            out.setBody(management.status(slot, publication));
        }
    }

    private String advanceTarget(Exchange exchange) {
        String lsn = exchange.getMessage().getHeader(PgReplicationConstants.ADVANCE_LSN, String.class);
        if (lsn == null || lsn.isBlank()) {
            throw new IllegalArgumentException("slot=" + options.slot() + ": operation advanceSlot needs header "
                                               + PgReplicationConstants.ADVANCE_LSN + " with the LSN to move to,"
                                               + " e.g. 0/16B3748");
        }
        // Names the header and the expected form on a malformed value.
        try {
            return Lsn.parse(lsn.trim()).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("slot=" + options.slot() + ": header "
                                               + PgReplicationConstants.ADVANCE_LSN + ": " + e.getMessage(), e);
        }
    }

    private SnapshotBatches startSnapshot() throws SQLException {
        int version;
        try (Connection c = options.connection().openRegular("camel-pgreplication manage " + options.slot())) {
            ReplicationAdmin admin = new ReplicationAdmin(c);
            admin.checkServer(options.slot());
            version = admin.serverVersion();
            if (!admin.publicationExists(options.publication())) {
                throw new PgReplicationSetupException("slot=" + options.slot() + ": cannot snapshot publication "
                                                      + options.publication() + ", it does not exist. Create it"
                                                      + " first (operation=createPublication with tables=...)");
            }
        }
        List<TableSpec> tables = options.tables();
        return SnapshotBatches.start(options.connection(), options.slot(), options.publication(),
                (schema, table) -> tables.isEmpty() || tables.stream().anyMatch(t -> t.matches(schema, table)),
                options.includeColumns(), version, options.snapshotParallelism(), options.batchSize());
    }

    /** The snapshot's batches as messages with the consumer's headers, so a splitter keeps them per batch. */
    static final class BatchMessages implements Iterator<Message>, Closeable {
        private final SnapshotBatches batches;
        private final CamelContext context;
        private final String slot;
        private final String publication;
        private final OutputFormat format;

        BatchMessages(SnapshotBatches batches, CamelContext context, String slot, String publication,
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
            String lsn = Lsn.format(batches.consistentPoint());
            m.setHeader(PgReplicationConstants.TABLE, item.relation().qualifiedName());
            m.setHeader(PgReplicationConstants.LSN, lsn);
            m.setHeader(PgReplicationConstants.COMMIT_LSN, lsn);
            m.setHeader(PgReplicationConstants.SLOT, slot);
            m.setHeader(PgReplicationConstants.PUBLICATION, publication);
            m.setHeader(PgReplicationConstants.KEY_COLUMNS, item.relation().keyColumns());
            m.setHeader(PgReplicationConstants.RELATION, item.relation());
            m.setHeader(PgReplicationConstants.SNAPSHOT, true);
            return m;
        }

        @Override
        public void close() {
            batches.close();
        }
    }
}
