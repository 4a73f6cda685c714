package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.server.OffsetStore;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.server.ServerIdentity;
import io.pgreplication.camel.table.Identifiers;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.FollowedTables;
import io.pgreplication.camel.table.TableSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings server objects to what the options ask for, before streaming: checks the server and the role,
 * drops slot and publication on {@code reset}, creates the publication (before the slot, so the first streamed
 * changes are covered) and adds missing tables, creates the slot. Idempotent: a second run changes nothing.
 */
public final class ReplicationSetup {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSetup.class);

    /**
     * What the options ask for. {@code tables} is empty when the option was omitted. {@code failover}: slots made now
     * get the failover property where the server has failover slots (PostgreSQL 17+).
     */
    public record Request(String slot, String publication, List<TableSpec> tables, String publish,
            boolean createPublication, boolean createSlot, boolean reset, boolean failover) {

        /** The same request with other create and reset switches: what a management operation asks for. */
        public Request with(boolean createPublication, boolean createSlot, boolean reset) {
            return new Request(slot, publication, tables, publish, createPublication, createSlot, reset, failover);
        }
    }

    /**
     * The outcome: what the server can do, the slot as found or created ({@code null} when it is missing and its
     * creation was left to the initial snapshot), which tables are delivered and which of their columns, both
     * resolved to the tables' OIDs so that a renamed table keeps being followed, whether the publication existed
     * before (a slot made for it then may replace a lost one), and the server's identity (null unless an offset store
     * is configured).
     */
    public record Result(ServerCapabilities server, SlotInfo slot, FollowedTables tables, IncludeColumns columns,
            boolean publicationExisted, ServerIdentity identity) {

        /** Whether slots made for this setup get the failover property. */
        public boolean failover(Request request) {
            return request.failover() && server.failoverSlots();
        }
    }

    private ReplicationSetup() {
    }

    /**
     * Checks the server, resets, brings the publication up to date, checks {@code includeColumns} against the tables
     * and finds or creates the slot. With {@code slotBySnapshot} a missing slot is not created here but left to the
     * initial snapshot, which makes it from its temporary exporting slot once the snapshot completed. A slot
     * {@code offsets} knows on this server but the server lacks is refused (docs/high-availability.md). With
     * {@code backfillAdded}
     * (snapshotMode=initial) the tables added to the publication of an existing slot are also backfilled: in the
     * transaction that adds them, a {@link BackfillRequest} for them is written into the WAL, which the consumer reads
     * when it streams the slot. One transaction, so a crash leaves either both or neither: never tables added without
     * their rows.
     */
    public static Result run(ConnectionSettings settings, Request request, IncludeColumns includeColumns,
                             boolean slotBySnapshot, OffsetStore offsets, boolean backfillAdded) throws SQLException {
        try (Connection connection = settings.openRegular("camel-pgreplication setup " + request.slot())) {
            ServerCapabilities server = ServerCapabilities.of(connection);
            new ServerAdmin(connection).checkServer(request.slot());
            SlotSetup slots = new SlotSetup(settings, connection, server, request, offsets);
            PublicationAdmin publications = new PublicationAdmin(connection, server);
            TableCatalog catalog = new TableCatalog(connection, server);
            if (request.reset()) {
                LOG.info("slot={} reset=true: dropping slot and publication {}", request.slot(), request.publication());
                slots.reset();
                publications.dropPublication(request.publication());
            }
            Map<TableSpec, Integer> oids = oidsOf(catalog, publications, request, "tables", request.tables());
            boolean publicationExisted = publications.publicationExists(request.publication());
            if (backfillAdded && new SlotAdmin(connection).slot(request.slot()).isPresent()) {
                BackfillSetup.extendAndRequest(connection, publications, request, server);
            } else {
                ensurePublication(publications, request, server);
            }
            FollowedTables tables = FollowedTables.of(request.tables(), oids);
            IncludeColumns columns = checkIncludeColumns(catalog, publications, request, includeColumns);
            SlotInfo slot = slots.ensure(slotBySnapshot, publicationExisted);
            if (slot == null) {
                checkSnapshotPossible(request.slot(), server);
            }
            return new Result(server, slot, tables, columns, publicationExisted,
                    offsets.isConfigured() ? slots.identity() : null);
        }
    }

    /**
     * operation=createSlot: makes the slot when it is missing, as a consumer's setup does (with the failover property
     * where the server has failover slots, its start recorded in {@code offsets}), and refuses instead when
     * {@code offsets} knows the slot on this server: it was lost, and a new one would skip changes. Leaves the
     * publication alone.
     */
    public static void createSlot(ConnectionSettings settings, Request request, OffsetStore offsets)
            throws SQLException {
        try (Connection connection = settings.openRegular("camel-pgreplication manage " + request.slot())) {
            new ServerAdmin(connection).checkServer(request.slot());
            new SlotSetup(settings, connection, ServerCapabilities.of(connection),
                    request.with(false, true, false), offsets).ensure(false, false);
        }
    }

    /**
     * operation=dropSlot: forgets the position {@code offsets} recorded for the slot on this server first (a slot
     * dropped on purpose is not lost, so a consumer may make it again), then drops the slot.
     */
    public static void dropSlot(ConnectionSettings settings, Request request, OffsetStore offsets)
            throws SQLException {
        try (Connection connection = settings.openRegular("camel-pgreplication manage " + request.slot())) {
            new SlotSetup(settings, connection, ServerCapabilities.of(connection), request, offsets).reset();
        }
    }

    /**
     * Creates the publication when it is missing and adds the tables it lacks, with the same checks as at consumer
     * start; never touches the slot and never removes a table (dlt's init_replication).
     */
    public static void ensurePublication(ConnectionSettings settings, Request request) throws SQLException {
        try (Connection connection = settings.openRegular("camel-pgreplication setup " + request.slot())) {
            ServerCapabilities server = ServerCapabilities.of(connection);
            ensurePublication(new PublicationAdmin(connection, server), request, server);
        }
    }

    /** The initial snapshot makes its slot with pg_copy_logical_replication_slot. */
    private static void checkSnapshotPossible(String slot, ServerCapabilities server) {
        if (!server.slotCopy()) {
            throw new PgReplicationSetupException("slot=" + slot + ": snapshotMode=initial/initialOnly needs"
                                                  + " PostgreSQL 12 or newer (pg_copy_logical_replication_slot keeps"
                                                  + " a snapshot that was cut short from leaving a slot behind); this"
                                                  + " server is " + server.major() + ". Use snapshotMode=never and"
                                                  + " load the tables yourself");
        }
    }

    /**
     * Fails the start when an {@code includeColumns} entry names a table or column that does not exist, so a typo
     * does not silently deliver fewer columns than meant; the entries resolved to their tables' OIDs otherwise.
     */
    private static IncludeColumns checkIncludeColumns(TableCatalog catalog, PublicationAdmin publications,
                                                      Request request, IncludeColumns include) throws SQLException {
        if (include.isAll()) {
            return include;
        }
        List<TableSpec> listed = List.copyOf(include.byTable().keySet());
        Map<TableSpec, Integer> oids = oidsOf(catalog, publications, request, "includeColumns", listed);
        for (Map.Entry<TableSpec, List<String>> entry : include.byTable().entrySet()) {
            TableSpec table = entry.getKey();
            List<String> existing = catalog.columnNames(table);
            for (String column : entry.getValue()) {
                if (!existing.contains(column)) {
                    throw new PgReplicationSetupException("slot=" + request.slot() + ": includeColumns names column "
                                                          + Identifiers.quote(column) + " of table " + table
                                                          + ", which has no such column (it has " + existing
                                                          + "). Fix option includeColumns (unquoted names fold"
                                                          + " to lower case)");
                }
            }
        }
        return include.resolve(oids);
    }

    /**
     * The OIDs of the named (not {@code schema.*}) tables an option lists. A name that no table has fails the start;
     * when the publication holds tables that option {@code tables} does not name, they are named too, since the
     * listed one may have been renamed or moved (ALTER TABLE ... RENAME / SET SCHEMA) while no consumer ran.
     */
    private static Map<TableSpec, Integer> oidsOf(TableCatalog catalog, PublicationAdmin publications,
                                                  Request request, String option, List<TableSpec> tables)
            throws SQLException {
        Map<TableSpec, Integer> oids = new HashMap<>();
        for (TableSpec table : tables) {
            if (table.isWholeSchema()) {
                continue;
            }
            Integer oid = catalog.oidOf(table);
            if (oid == null) {
                String what = option.equals("tables") ? "table " + table + " does not exist"
                        : option + " names table " + table + ", which does not exist";
                throw new PgReplicationSetupException("slot=" + request.slot() + ": " + what
                                                      + renameHint(publications, request, option, table)
                                                      + "Create it, or fix option " + option + " (unquoted names fold"
                                                      + " to lower case)");
            }
            oids.put(table, oid);
        }
        return oids;
    }

    private static String renameHint(PublicationAdmin publications, Request request, String option,
                                     TableSpec missing) throws SQLException {
        if (!publications.publicationExists(request.publication())) {
            return ". ";
        }
        List<TableSpec> unnamed = new ArrayList<>();
        for (TableSpec published : publications.publicationTables(request.publication())) {
            if (request.tables().stream().noneMatch(t -> t.matches(published.schema(), published.table()))) {
                unnamed.add(published);
            }
        }
        if (unnamed.isEmpty()) {
            return ". ";
        }
        String candidates = unnamed.size() > 10 ? unnamed.subList(0, 10) + " and " + (unnamed.size() - 10) + " more"
                : unnamed.size() == 1 ? unnamed.get(0).toString() : unnamed.toString();
        return ". Publication " + request.publication() + " holds " + candidates + ", which option tables does not"
               + " name: if " + missing + " was renamed or moved to another schema (ALTER TABLE ... RENAME / SET"
               + " SCHEMA), give its new name in option " + option + ". Otherwise: ";
    }

    /** Creates or extends the publication; returns the entries of {@code tables} it had to add. */
    static List<TableSpec> ensurePublication(PublicationAdmin admin, Request request, ServerCapabilities server)
            throws SQLException {
        String pub = request.publication();
        List<TableSpec> wanted = request.tables();
        if (!admin.publicationExists(pub)) {
            if (!request.createPublication()) {
                throw new PgReplicationSetupException("slot=" + request.slot() + ": publication " + pub
                                                      + " does not exist and createPublication=false. Set"
                                                      + " createPublication=true, or run CREATE PUBLICATION "
                                                      + Identifiers.quote(pub) + " FOR TABLE ...;");
            }
            if (wanted.isEmpty()) {
                wanted = List.of(new TableSpec("public", null));
            }
            checkTables(admin, request, wanted, publishesUpdateOrDelete(request.publish()));
            admin.createPublication(pub, request.publish());
            LOG.info("slot={} created publication {} publishing {}", request.slot(), pub, request.publish());
        } else if (wanted.isEmpty()) {
            return List.of();
        }
        Set<String> ops = admin.publicationOperations(pub);
        boolean updateOrDelete = ops.contains("update") || ops.contains("delete");
        List<TableSpec> missing = missingTables(admin, pub, wanted, server);
        if (missing.isEmpty()) {
            return List.of();
        }
        if (!request.createPublication()) {
            throw new PgReplicationSetupException("slot=" + request.slot() + ": publication " + pub + " lacks "
                                                  + missing + " and createPublication=false. Add them: ALTER"
                                                  + " PUBLICATION " + Identifiers.quote(pub) + " ADD TABLE ...;"
                                                  + " or set createPublication=true");
        }
        checkTables(admin, request, missing, updateOrDelete);
        for (TableSpec table : missing) {
            if (table.isWholeSchema()) {
                admin.addSchema(pub, table.schema());
            } else {
                admin.addTable(pub, table);
            }
            LOG.info("slot={} added {} to publication {}", request.slot(), table, pub);
        }
        return missing;
    }

    /** The wanted tables (schemas expanded on PG13/14) that the publication does not stream yet. */
    private static List<TableSpec> missingTables(PublicationAdmin admin, String pub, List<TableSpec> wanted,
                                                 ServerCapabilities server) throws SQLException {
        Set<TableSpec> present = new HashSet<>(admin.publicationTables(pub));
        Set<String> schemas = admin.publicationSchemas(pub);
        List<TableSpec> missing = new ArrayList<>();
        for (TableSpec spec : wanted) {
            if (spec.isWholeSchema()) {
                if (server.schemaPublications()) {
                    if (!schemas.contains(spec.schema())) {
                        missing.add(spec);
                    }
                } else {
                    // No FOR TABLES IN SCHEMA before PG15: the schema's tables as of now (documented limitation).
                    for (TableSpec table : admin.tablesOf(spec.schema())) {
                        if (!present.contains(table)) {
                            missing.add(table);
                        }
                    }
                }
            } else if (!present.contains(spec)) {
                missing.add(spec);
            }
        }
        return missing;
    }

    private static void checkTables(PublicationAdmin admin, Request request, List<TableSpec> tables,
                                    boolean updateOrDelete) throws SQLException {
        for (TableSpec spec : tables) {
            List<TableSpec> concrete = spec.isWholeSchema() ? admin.tablesOf(spec.schema()) : List.of(spec);
            for (TableSpec table : concrete) {
                admin.checkPublishable(request.slot(), table, updateOrDelete);
            }
        }
    }

    private static boolean publishesUpdateOrDelete(String publish) {
        return publish.contains("update") || publish.contains("delete");
    }
}
