package io.pgreplication.camel;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

import io.pgreplication.camel.admin.BackfillRequest;
import io.pgreplication.camel.admin.BackfillSetup;
import io.pgreplication.camel.admin.PublicationAdmin;
import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.admin.ServerAdmin;
import io.pgreplication.camel.admin.SlotAdmin;
import io.pgreplication.camel.admin.SlotInfo;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.OffsetStore;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.session.SessionOptions;
import io.pgreplication.camel.snapshot.SnapshotBatches;
import io.pgreplication.camel.snapshot.SnapshotScope;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.table.TableSpec;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management producer (docs/user-guide.md): {@code to("pgreplication:slot?operation=status")}. The header
 * {@link PgReplicationConstants#OPERATION} overrides the endpoint's operation. Every operation but {@code snapshot}
 * returns the status map afterwards; {@code snapshot} returns a lazy, closeable iterator of batch messages for
 * {@code split(body()).streaming()}, read on threads from Camel's thread pools.
 */
public class PgReplicationProducer extends DefaultProducer {

    private static final Logger LOG = LoggerFactory.getLogger(PgReplicationProducer.class);

    private final EndpointOptions options;
    private final SessionOptions session;
    private ExecutorService snapshotWorkers;

    public PgReplicationProducer(PgReplicationEndpoint endpoint) {
        super(endpoint);
        this.options = endpoint.options();
        this.session = options.session();
    }

    @Override
    public PgReplicationEndpoint getEndpoint() {
        return (PgReplicationEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        snapshotWorkers = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newCachedThreadPool(this, "pgreplication-snapshot-" + options.slot());
    }

    @Override
    protected void doStop() throws Exception {
        if (snapshotWorkers != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(snapshotWorkers);
            snapshotWorkers = null;
        }
        super.doStop();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        ManagementOperation operation = operation(exchange);
        String slot = options.slot();
        Message out = exchange.getMessage();
        if (operation == ManagementOperation.SNAPSHOT) {
            SnapshotBatches batches = startSnapshot();
            out.setBody(new SnapshotMessages(batches, exchange.getContext(), slot, options.publication(),
                    options.outputFormat()));
            out.setHeader(PgReplicationConstants.SNAPSHOT, true);
            out.setHeader(PgReplicationConstants.LSN, batches.consistentPoint().toString());
            out.setHeader(PgReplicationConstants.SLOT, slot);
            out.setHeader(PgReplicationConstants.PUBLICATION, options.publication());
            return;
        }
        if (operation == ManagementOperation.BACKFILL) {
            backfill(out);
            return;
        }
        try (Connection c = options.connection().openRegular("camel-pgreplication manage " + slot)) {
            SlotAdmin slots = new SlotAdmin(c);
            PublicationAdmin publications = new PublicationAdmin(c, ServerCapabilities.of(c));
            switch (operation) {
                case STATUS -> {
                }
                case CREATE_SLOT -> ReplicationSetup.createSlot(options.connection(), session.setup(), offsets());
                case DROP_SLOT -> ReplicationSetup.dropSlot(options.connection(), session.setup(), offsets());
                case CREATE_PUBLICATION -> ReplicationSetup.ensurePublication(options.connection(),
                        session.setup().with(true, false, false));
                case DROP_PUBLICATION -> publications.dropPublication(options.publication());
                case BACKFILL -> throw new IllegalStateException("handled above");
                case ADVANCE_SLOT -> {
                    Lsn target = advanceTarget(exchange);
                    if (!slots.advance(slot, target)) {
                        LOG.info("slot={} advanceSlot to {}: the slot is already there or past it; unchanged", slot,
                                target);
                    }
                }
            }
            out.setBody(status(slots, publications));
        }
    }

    /** The offset store, started: the management operations keep it up to date as a consumer does. */
    private OffsetStore offsets() {
        if (session.offsets() instanceof RepositoryOffsetStore repository) {
            repository.start();
        }
        return session.offsets();
    }

    /** The header's operation, else the endpoint's; an unknown or missing one fails naming the values. */
    private ManagementOperation operation(Exchange exchange) {
        Object header = exchange.getMessage().getHeader(PgReplicationConstants.OPERATION);
        if (header == null) {
            ManagementOperation configured = getEndpoint().getConfiguration().getOperation();
            if (configured == null) {
                throw new IllegalArgumentException("slot=" + options.slot() + ": no management operation: set option"
                                                   + " operation ("
                                                   + String.join(", ", OptionParser.names(ManagementOperation.values()))
                                                   + ") or header "
                                                   + PgReplicationConstants.OPERATION);
            }
            return configured;
        }
        if (header instanceof ManagementOperation operation) {
            return operation;
        }
        return OptionParser.choice(PgReplicationConstants.OPERATION, header.toString(), ManagementOperation.values());
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

    /**
     * Requests an online backfill of the {@code tables} option's tables from the slot's consumer: adds the tables the
     * publication lacks and writes the request into the WAL, in one transaction (docs/user-guide.md, "Online
     * backfill"). The body is {@code {"backfill","slot","publication","tables","lsn"}}.
     */
    private void backfill(Message out) throws SQLException {
        String slot = options.slot();
        if (session.tables().isEmpty()) {
            throw new IllegalArgumentException("slot=" + slot + ": operation=backfill needs option tables naming the"
                                               + " tables to read again, e.g. tables=public.orders,public.items");
        }
        BackfillSetup.Backfill written;
        try (Connection c = options.connection().openRegular("camel-pgreplication manage " + slot)) {
            written = BackfillSetup.request(c, session.setup());
        }
        BackfillRequest request = written.request();
        LOG.info("slot={} requested backfill {} of {} at {}", slot, request.id(), request.tables(), written.lsn());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("backfill", request.id());
        body.put("slot", slot);
        body.put("publication", options.publication());
        List<String> tables = new ArrayList<>();
        for (TableSpec t : request.tables()) {
            tables.add(t.toString());
        }
        body.put("tables", tables);
        body.put("lsn", written.lsn().toString());
        out.setBody(body);
        out.setHeader(PgReplicationConstants.LSN, written.lsn().toString());
        out.setHeader(PgReplicationConstants.BACKFILL, request.id());
        out.setHeader(PgReplicationConstants.SLOT, slot);
        out.setHeader(PgReplicationConstants.PUBLICATION, options.publication());
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
        SnapshotScope scope = new SnapshotScope(options.publication(), TableFilter.of(session.tables()),
                session.includeColumns(), server, session.snapshot().parallelism(), session.batching().size(),
                session.batching().maxBytes());
        return SnapshotBatches.start(options.connection(), options.slot(), scope, snapshotWorkers);
    }
}
