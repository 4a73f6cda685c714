package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.TableSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes online backfill requests (docs/user-guide.md, "Online backfill"), always in the transaction that adds the
 * tables to the publication: either both happen or neither, so a table is never added without its rows being asked
 * for. The management producer's {@code backfill}, and {@code snapshotMode=initial} on an existing slot whose
 * {@code tables} grew.
 */
public final class BackfillSetup {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillSetup.class);

    private BackfillSetup() {
    }

    /** Adds the missing tables and, when there were any, requests their backfill in the same transaction. */
    static void extendAndRequest(Connection connection, PublicationAdmin publications,
                                 ReplicationSetup.Request request, ServerCapabilities server) throws SQLException {
        Sql.inTransaction(connection, () -> {
            List<TableSpec> added = ReplicationSetup.ensurePublication(publications, request, server);
            if (!added.isEmpty()) {
                if (!server.messages()) {
                    throw new PgReplicationSetupException("slot=" + request.slot() + ": snapshotMode=initial on an"
                                                          + " existing slot backfills the tables added to it " + added
                                                          + ", which needs PostgreSQL 14 or newer (the request"
                                                          + " travels as a logical decoding message); this server is "
                                                          + server.describe() + ". Set snapshotMode=never to stream"
                                                          + " the added tables from now on without their existing"
                                                          + " rows, or upgrade the server");
                }
                BackfillRequest backfill = BackfillRequest.of(request.slot(), concreteTables(publications, added));
                Lsn lsn = backfill.emit(connection);
                LOG.info("slot={} snapshotMode=initial: requested backfill {} of the added tables {} at {}",
                        request.slot(), backfill.id(), backfill.tables(), lsn);
            }
            return null;
        });
    }

    /**
     * The management producer's {@code backfill}: adds the tables the publication lacks (or, with
     * createPublication=false, fails naming them) and writes a {@link BackfillRequest} for {@code request.tables()}
     * ({@code schema.*} expanded to the schema's tables now), both in one transaction. Returns the request and its LSN.
     * Refused on PostgreSQL 13 and older (the request could not reach the consumer) and when the slot does not exist
     * (no consumer would ever read it).
     */
    public static Backfill request(Connection connection, ReplicationSetup.Request request) throws SQLException {
        ServerCapabilities server = ServerCapabilities.of(connection);
        String slot = request.slot();
        if (!server.messages()) {
            throw new PgReplicationSetupException("slot=" + slot + ": operation=backfill needs PostgreSQL 14 or"
                                                  + " newer: the request reaches the consumer as a logical decoding"
                                                  + " message in the replication stream (pgoutput's messages"
                                                  + " option), which this server (" + server.describe()
                                                  + ") cannot send. Load the tables some other way, or upgrade the"
                                                  + " server");
        }
        if (new SlotAdmin(connection).slot(slot).isEmpty()) {
            throw new PgReplicationSetupException("slot=" + slot + ": operation=backfill writes a request for the"
                                                  + " slot's consumer, but the slot does not exist, so no consumer"
                                                  + " would ever read it. Start the consumer first"
                                                  + " (snapshotMode=initial reads every table when it creates the"
                                                  + " slot)");
        }
        PublicationAdmin publications = new PublicationAdmin(connection, server);
        return Sql.inTransaction(connection, () -> {
            ReplicationSetup.ensurePublication(publications, request, server);
            List<TableSpec> tables = concreteTables(publications, request.tables());
            for (TableSpec t : tables) {
                publications.checkPublishable(slot, t, false);
            }
            BackfillRequest backfill = BackfillRequest.of(slot, tables);
            return new Backfill(backfill, backfill.emit(connection));
        });
    }

    /** A backfill request as written, and its LSN. */
    public record Backfill(BackfillRequest request, Lsn lsn) {
    }

    /** The tables of {@code specs}, each {@code schema.*} replaced by the schema's tables now. */
    private static List<TableSpec> concreteTables(PublicationAdmin publications, List<TableSpec> specs)
            throws SQLException {
        Set<TableSpec> tables = new LinkedHashSet<>();
        for (TableSpec spec : specs) {
            if (spec.isWholeSchema()) {
                List<TableSpec> inSchema = publications.tablesOf(spec.schema());
                if (inSchema.isEmpty()) {
                    throw new PgReplicationSetupException("There is no table in schema " + spec.schema()
                                                          + " to backfill (tables=" + spec + ")");
                }
                tables.addAll(inSchema);
            } else {
                tables.add(spec);
            }
        }
        return List.copyOf(tables);
    }
}
