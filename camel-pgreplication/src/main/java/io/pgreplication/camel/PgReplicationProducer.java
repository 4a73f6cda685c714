package io.pgreplication.camel;

import java.io.Closeable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.pgreplication.camel.admin.PublicationAdmin;
import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.admin.ServerAdmin;
import io.pgreplication.camel.admin.SlotAdmin;
import io.pgreplication.camel.admin.SlotInfo;
import io.pgreplication.camel.event.OutputFormat;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
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
            out.setHeader(PgReplicationConstants.LSN, batches.consistentPoint().toString());
            out.setHeader(PgReplicationConstants.SLOT, slot);
            out.setHeader(PgReplicationConstants.PUBLICATION, publication);
            return;
        }
        try (Connection c = options.connection().openRegular("camel-pgreplication manage " + slot)) {
            SlotAdmin slots = new SlotAdmin(c);
            PublicationAdmin publications = new PublicationAdmin(c, ServerCapabilities.of(c));
            switch (operation) {
                case "status" -> {
                }
                case "createSlot" -> {
                    new ServerAdmin(c).checkServer(slot);
                    if (slots.slot(slot).isEmpty()) {
                        slots.create(slot);
                        LOG.info("slot={} created the replication slot", slot);
                    }
                }
                case "dropSlot" -> slots.drop(slot);
                case "createPublication" -> {
                    ReplicationSetup.Request r = options.setup();
                    ReplicationSetup.ensurePublication(options.connection(), new ReplicationSetup.Request(r.slot(),
                            r.publication(), r.tables(), r.publish(), true, false, false));
                }
                case "dropPublication" -> publications.dropPublication(publication);
                case "advanceSlot" -> {
                    Lsn target = advanceTarget(exchange);
                    if (!slots.advance(slot, target)) {
                        LOG.info("slot={} advanceSlot to {}: the slot is already there or past it; unchanged", slot,
                                target);
                    }
                }
                default -> throw new IllegalArgumentException("slot=" + slot + ": unknown operation '" + operation
                                                              + "': use status, createSlot, dropSlot,"
                                                              + " createPublication, dropPublication, advanceSlot"
                                                              + " or snapshot");
            }
            out.setBody(status(slots, publications));
        }
    }

    /**
     * {@code {"slot","plugin","active","activePid","confirmedFlushLsn","restartLsn","retainedWalBytes","walStatus",
     * "publication","publish","tables"}}: the slot's row of pg_replication_slots, the WAL it retains (as the health
     * check reads it: from its restart LSN to the current WAL write position; null on a standby), and the
     * publication's operations and tables. Fields of a missing slot or publication are null ({@code active} false,
     * {@code tables} empty).
     */
    private Map<String, Object> status(SlotAdmin slots, PublicationAdmin publications) throws SQLException {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("slot", options.slot());
        Optional<SlotInfo> info = slots.slot(options.slot());
        status.put("plugin", info.map(SlotInfo::plugin).orElse(null));
        status.put("active", info.map(SlotInfo::active).orElse(false));
        status.put("activePid", info.map(SlotInfo::activePid).orElse(null));
        status.put("confirmedFlushLsn", info.map(SlotInfo::confirmedFlushLsn).map(Lsn::toString).orElse(null));
        status.put("restartLsn", info.map(SlotInfo::restartLsn).map(Lsn::toString).orElse(null));
        status.put("retainedWalBytes", info.map(SlotInfo::retainedWalBytes).orElse(null));
        status.put("walStatus", info.map(SlotInfo::walStatus).orElse(null));
        String publication = options.publication();
        status.put("publication", publication);
        boolean exists = publications.publicationExists(publication);
        status.put("publish", exists ? List.copyOf(publications.publicationOperations(publication)) : null);
        List<String> tables = new ArrayList<>();
        if (exists) {
            for (TableSpec t : publications.publicationTables(publication)) {
                tables.add(t.toString());
            }
        }
        status.put("tables", tables);
        return status;
    }

    private Lsn advanceTarget(Exchange exchange) {
        String lsn = exchange.getMessage().getHeader(PgReplicationConstants.ADVANCE_LSN, String.class);
        if (lsn == null || lsn.isBlank()) {
            throw new IllegalArgumentException("slot=" + options.slot() + ": operation advanceSlot needs header "
                                               + PgReplicationConstants.ADVANCE_LSN + " with the LSN to move to,"
                                               + " e.g. 0/16B3748");
        }
        // Names the header and the expected form on a malformed value.
        try {
            return Lsn.parse(lsn.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("slot=" + options.slot() + ": header "
                                               + PgReplicationConstants.ADVANCE_LSN + ": " + e.getMessage(), e);
        }
    }

    private SnapshotBatches startSnapshot() throws SQLException {
        ServerCapabilities server;
        try (Connection c = options.connection().openRegular("camel-pgreplication manage " + options.slot())) {
            new ServerAdmin(c).checkServer(options.slot());
            server = ServerCapabilities.of(c);
            if (!new PublicationAdmin(c, server).publicationExists(options.publication())) {
                throw new PgReplicationSetupException("slot=" + options.slot() + ": cannot snapshot publication "
                                                      + options.publication() + ", it does not exist. Create it"
                                                      + " first (operation=createPublication with tables=...)");
            }
        }
        List<TableSpec> tables = options.tables();
        return SnapshotBatches.start(options.connection(), options.slot(), options.publication(),
                (schema, table) -> tables.isEmpty() || tables.stream().anyMatch(t -> t.matches(schema, table)),
                options.includeColumns(), server, options.snapshotParallelism(), options.batchSize());
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
            String lsn = batches.consistentPoint().toString();
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
