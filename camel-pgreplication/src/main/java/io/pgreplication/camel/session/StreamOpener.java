package io.pgreplication.camel.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.admin.ReplicationCommands;
import io.pgreplication.camel.admin.ServerAdmin;
import io.pgreplication.camel.admin.SlotInfo;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.LostSlot;
import io.pgreplication.camel.server.OffsetStore;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.server.ServerIdentity;
import io.pgreplication.camel.server.SlotInvalidation;
import io.pgreplication.camel.table.Identifiers;
import io.pgreplication.camel.table.TableFilter;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the replication stream of a session: the replication connection, the options pgoutput gets (protocol
 * version, publication, binary values when every delivered column decodes exactly from its binary form, messages on
 * PostgreSQL 14+ for the backfill requests that travel as messages, whether or not messages=true),
 * the start position, and how often to speak up while routes are busy. It remembers which server and timeline the last
 * stream reached: after a failover (or a restore) the stream starts from the slot's own confirmed position, because
 * WAL past the promotion point is another history than the one this consumer confirmed on. A slot that is missing or
 * invalidated fails with what happened and the way out.
 */
final class StreamOpener {

    private static final Logger LOG = LoggerFactory.getLogger(StreamOpener.class);

    private final SessionOptions options;
    /** The server and timeline of the last stream; null before the first. */
    private ServerIdentity last;

    StreamOpener(SessionOptions options) {
        this.options = options;
    }

    /**
     * Starts streaming from {@code start}. With {@code textOnly} (a binary stream met a column it could not decode)
     * values come as text whatever else holds; otherwise binary values are chosen when every column of the tables
     * {@code filter} delivers decodes exactly from its binary form.
     */
    OpenedStream open(Lsn start, boolean textOnly, TableFilter filter) throws SQLException {
        Connection connection = options.connection().openReplication("camel-pgreplication " + options.slot());
        JdbcCatalog catalog = new JdbcCatalog(options.connection(), options.slot());
        try {
            ServerCapabilities server = ServerCapabilities.of(connection);
            ReplicationCommands.Identified identified = new ReplicationCommands(connection).identifySystem();
            Lsn from = startPosition(start, identified.server(), catalog);
            Duration timeout = walSenderTimeout(connection);
            boolean binary = binaryValues(server, catalog, textOnly, filter);
            PGReplicationStream stream = start(connection, server, binary, catalog, from, identified);
            last = identified.server();
            Liveness liveness = new StreamLiveness(options.connection(), options.slot(),
                    connection.unwrap(PGConnection.class).getBackendPID(), timeout);
            return new OpenedStream(new PgJdbcStream(stream), server, identified.server(), from, binary,
                    keepalive(timeout), liveness, catalog, connection);
        } catch (SQLException | RuntimeException e) {
            // Close both; a failure to close is added to e as suppressed.
            try (connection; catalog) {
                throw e;
            }
        }
    }

    /**
     * Where to start: the session's confirmed position on the server of the last stream; the slot's own position on
     * another server or timeline (the session may have confirmed WAL there that the new history does not hold).
     */
    private Lsn startPosition(Lsn confirmed, ServerIdentity server, JdbcCatalog catalog) throws SQLException {
        if (last == null || server.sameHistoryAs(last)) {
            return confirmed;
        }
        SlotInfo slot = catalog.slot();
        if (slot == null || slot.confirmedFlushLsn() == null) {
            return confirmed; // missing: START_REPLICATION fails and says so
        }
        LOG.info("slot={} the server is now {} (the last stream ran on {}): a failover or a restore. Resuming from the"
                 + " slot's own confirmed position {}{}", options.slot(), server.describe(), last.describe(),
                slot.confirmedFlushLsn(), slot.confirmedFlushLsn().compareTo(confirmed) < 0
                        ? "; this consumer had confirmed " + confirmed + ", the changes in between come again" : "");
        return slot.confirmedFlushLsn();
    }

    /**
     * How long the reader may go without talking to the server while routes are busy: well inside the server's
     * wal_sender_timeout (which a role or database may lower), and no longer than statusInterval.
     */
    private Duration keepalive(Duration walSenderTimeout) {
        long interval = options.stream().statusInterval().toMillis();
        long millis = walSenderTimeout.isZero() ? interval : Math.min(interval, walSenderTimeout.toMillis() / 4);
        return Duration.ofMillis(Math.max(50, millis));
    }

    private Duration walSenderTimeout(Connection connection) {
        try {
            return new ServerAdmin(connection).walSenderTimeout();
        } catch (SQLException e) {
            LOG.debug("slot={} cannot read wal_sender_timeout, assuming 60s: {}", options.slot(), e.getMessage());
            return Duration.ofSeconds(60);
        }
    }

    /**
     * Binary values when the options ask for them (PostgreSQL 14+) and every delivered column's type decodes exactly
     * from its binary form; the choice and its reason are logged.
     */
    private boolean binaryValues(ServerCapabilities server, JdbcCatalog catalog, boolean textOnly, TableFilter filter)
            throws SQLException {
        if (!options.stream().binaryValuesOn(server)) {
            LOG.info("slot={} text values: {}", options.slot(), !server.binaryValues() ? "the server is older than"
                    + " PostgreSQL 14" : "binaryValues=false");
            return false;
        }
        if (textOnly) {
            LOG.info("slot={} text values: a column added while streaming has a type without an exact binary"
                     + " decoder", options.slot());
            return false;
        }
        List<String> undecodable = BinaryValues.undecodable(catalog.publishedColumns(options.publication()), filter,
                catalog);
        if (!undecodable.isEmpty()) {
            LOG.info("slot={} text values: no exact binary decoder for {} (see docs/types.md)", options.slot(),
                    undecodable.size() > 5 ? undecodable.subList(0, 5) + " and " + (undecodable.size() - 5) + " more"
                            : undecodable);
            return false;
        }
        LOG.info("slot={} binary values: every published column's type decodes from its binary form",
                options.slot());
        return true;
    }

    private PGReplicationStream start(Connection connection, ServerCapabilities server, boolean binary,
                                      JdbcCatalog catalog, Lsn from, ReplicationCommands.Identified identified)
            throws SQLException {
        try {
            return startStream(connection, server, binary, from);
        } catch (SQLException e) {
            if ("55006".equals(e.getSQLState())) {
                // Only one walsender may use a slot: say who holds it; the caller retries with backoff.
                throw new SQLException("slot=" + options.slot() + ": the replication slot is in use by "
                                       + catalog.describeHolder() + ". Another consumer (or a walsender that has not"
                                       + " exited yet) streams from it; retrying with backoff", "55006", e);
            }
            if ("42704".equals(e.getSQLState()) && catalog.slot() == null) {
                // Asked, not read from the message: the server's wording is translated under another lc_messages.
                throw lost(from, identified, e);
            }
            if ("55000".equals(e.getSQLState())) {
                // The wording may be translated (lc_messages): the slot's row names the cause too.
                SlotInvalidation cause = SlotInvalidation.of(e);
                if (cause == null) {
                    SlotInfo slot = catalog.slot();
                    cause = slot == null ? null : slot.invalidation();
                }
                if (cause != null) {
                    throw cause.explain(options.slot(), e);
                }
            }
            throw e;
        }
    }

    /** The slot this session streamed is gone from the server it reached: never made again silently. */
    private RuntimeException lost(Lsn from, ReplicationCommands.Identified identified, SQLException e) {
        String system = identified.server().systemIdentifier();
        Lsn recorded = options.offsets().recorded(options.slot(), system);
        Lsn confirmed = from.isValid() ? from : recorded;
        String key = options.offsets().isConfigured() ? OffsetStore.key(options.slot(), system) : null;
        RuntimeException error = LostSlot.whileRunning(options.slot(), confirmed, identified.position(),
                identified.server(), key);
        error.addSuppressed(e);
        return error;
    }

    private PGReplicationStream startStream(Connection connection, ServerCapabilities server, boolean binary,
                                            Lsn from) throws SQLException {
        // pgjdbc wraps option values in single quotes without escaping them: double any quote ourselves.
        String publication = Identifiers.quote(options.publication()).replace("'", "''");
        ChainedLogicalStreamBuilder builder = connection.unwrap(PGConnection.class).getReplicationAPI()
                .replicationStream()
                .logical()
                .withSlotName(options.slot())
                .withStartPosition(LogSequenceNumber.valueOf(from.value()))
                .withSlotOption("proto_version", server.protocolVersion())
                .withSlotOption("publication_names", publication);
        if (binary) {
            builder.withSlotOption("binary", "true");
        }
        builder.withStatusInterval((int) options.stream().statusInterval().toMillis(), TimeUnit.MILLISECONDS)
                // The driver's keepalive flush can confirm changes a route has not finished.
                .withAutomaticFlush(false);
        if (server.messages()) {
            // PostgreSQL 14+ (older servers reject an option they do not know). Asked for even with messages=false:
            // backfill requests travel as messages; the assembler then delivers none of the others.
            builder.withSlotOption("messages", true);
        }
        return builder.start();
    }
}
