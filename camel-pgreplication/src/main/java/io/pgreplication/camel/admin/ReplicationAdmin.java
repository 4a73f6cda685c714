package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.table.Identifiers;
import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeInfo;

/**
 * All SQL of the component, on one regular connection: server checks, publications and slots. Names are always
 * quoted; values go through bind parameters or {@link Identifiers#literal(String)}.
 */
public final class ReplicationAdmin {

    private final Connection connection;

    public ReplicationAdmin(Connection connection) {
        this.connection = connection;
    }

    /** {@code server_version_num}, e.g. 170005. */
    public int serverVersion() throws SQLException {
        return Integer.parseInt(queryString("SHOW server_version_num"));
    }

    /** This session's wal_sender_timeout in milliseconds (0 = disabled); a role or database may lower it. */
    public long walSenderTimeoutMillis() throws SQLException {
        return Long.parseLong(queryString("SELECT setting FROM pg_settings WHERE name = 'wal_sender_timeout'"));
    }

    /** Fails with the fix unless the server can do logical decoding for this role. */
    public void checkServer(String slotName) throws SQLException {
        int version = serverVersion();
        if (version < 100000) {
            throw new PgReplicationSetupException("slot=" + slotName + ": PostgreSQL " + version / 10000 + " is too old;"
                                                  + " logical replication with pgoutput needs PostgreSQL 10 or newer");
        }
        String walLevel = queryString("SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            throw new PgReplicationSetupException("slot=" + slotName + ": the server runs with wal_level=" + walLevel
                                                  + "; logical replication needs wal_level=logical. Run ALTER SYSTEM SET"
                                                  + " wal_level = logical; and restart PostgreSQL (on RDS/Aurora set"
                                                  + " rds.logical_replication=1 in the parameter group)");
        }
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT r.rolname, r.rolreplication OR r.rolsuper,"
                                            + " EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_replication')"
                                            + " FROM pg_roles r WHERE r.rolname = current_user")) {
            rs.next();
            if (!rs.getBoolean(2) && !memberOf("rds_replication")) {
                String role = Identifiers.quote(rs.getString(1));
                throw new PgReplicationSetupException("slot=" + slotName + ": role " + role + " may not use"
                                                      + " replication. Run ALTER ROLE " + role + " REPLICATION;"
                                                      + (rs.getBoolean(3) ? " (on RDS/Aurora: GRANT rds_replication TO "
                                                                            + role + ";)" : ""));
            }
        }
    }

    private boolean memberOf(String role) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?) AND pg_has_role(current_user, ?, 'member')")) {
            ps.setString(1, role);
            ps.setString(2, role);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            return false;
        }
    }

    // ---- publications

    public boolean publicationExists(String publication) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The tables the publication streams now, as {@code schema.table} specs. */
    public List<TableSpec> publicationTables(String publication) throws SQLException {
        List<TableSpec> tables = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ? ORDER BY 1, 2")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new TableSpec(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return tables;
    }

    /** Schemas published whole ({@code FOR TABLES IN SCHEMA}, PG15+). */
    public Set<String> publicationSchemas(String publication) throws SQLException {
        Set<String> schemas = new LinkedHashSet<>();
        if (serverVersion() < 150000) {
            return schemas;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT n.nspname FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid"
                + " JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE p.pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
            }
        }
        return schemas;
    }

    /** The operations a publication publishes, e.g. {@code insert,update,delete,truncate}. */
    public Set<String> publicationOperations(String publication) throws SQLException {
        Set<String> ops = new LinkedHashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    String[] names = {"insert", "update", "delete", "truncate"};
                    for (int i = 0; i < names.length; i++) {
                        if (rs.getBoolean(i + 1)) {
                            ops.add(names[i]);
                        }
                    }
                }
            }
        }
        return ops;
    }

    /**
     * Creates an empty publication publishing {@code publish} (already validated to be a list of operation names),
     * via the partition root so partitioned tables arrive under their root.
     */
    public void createPublication(String publication, String publish) throws SQLException {
        String with = "publish = " + Identifiers.literal(publish);
        if (serverVersion() >= 130000) {
            with += ", publish_via_partition_root = true";
        }
        String sql = "CREATE PUBLICATION " + Identifiers.quote(publication) + " WITH (" + with + ")";
        executeAsOwner(sql, "the role needs CREATE on the database: GRANT CREATE ON DATABASE "
                            + Identifiers.quote(connection.getCatalog()) + " TO " + Identifiers.quote(user())
                            + "; or have an administrator run " + sql + "; and set createPublication=false");
    }

    public void addTable(String publication, TableSpec table) throws SQLException {
        String sql = "ALTER PUBLICATION " + Identifiers.quote(publication) + " ADD TABLE " + table.toSql();
        executeAsOwner(sql, "adding a table to a publication needs ownership of the table and of the publication:"
                            + " ALTER TABLE " + table.toSql() + " OWNER TO " + Identifiers.quote(user())
                            + "; or have an administrator run " + sql + ";");
    }

    /** PG15+: publishes the whole schema, tables created later included. */
    public void addSchema(String publication, String schema) throws SQLException {
        String sql = "ALTER PUBLICATION " + Identifiers.quote(publication) + " ADD TABLES IN SCHEMA "
                     + Identifiers.quote(schema);
        executeAsOwner(sql, "only a superuser may publish a whole schema: list the tables instead (tables="
                            + schema + ".orders,...), or have a superuser run " + sql + ";");
    }

    /** Runs DDL whose privilege error (42501) only an operator can fix: says which statement and the fix. */
    private void executeAsOwner(String sql, String fix) throws SQLException {
        try {
            execute(sql);
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
            throw new PgReplicationSetupException("Role " + user() + " may not run " + sql + " (" + e.getMessage()
                                                  + "): " + fix, e);
        }
    }

    private String user() throws SQLException {
        return connection.getMetaData().getUserName();
    }

    public void dropPublication(String publication) throws SQLException {
        execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(publication));
    }

    /** The ordinary and partitioned tables of a schema (for {@code schema.*} on PG13/14). */
    public List<TableSpec> tablesOf(String schema) throws SQLException {
        List<TableSpec> tables = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new TableSpec(schema, rs.getString(1)));
                }
            }
        }
        return tables;
    }

    /**
     * Fails with the fix when {@code table} is missing, or when publishing UPDATE/DELETE for it would make the
     * application's own UPDATE/DELETE fail (no primary key and no usable replica identity).
     */
    public void checkPublishable(String slotName, TableSpec table, boolean publishesUpdateOrDelete) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT c.relreplident, c.relkind,"
                + " EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),"
                + " EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new PgReplicationSetupException("slot=" + slotName + ": table " + table
                                                          + " does not exist. Create it, or fix option tables"
                                                          + " (unquoted names fold to lower case)");
                }
                String identity = rs.getString(1);
                String kind = rs.getString(2);
                boolean hasPk = rs.getBoolean(3);
                boolean hasIdentityIndex = rs.getBoolean(4);
                if (!"r".equals(kind) && !"p".equals(kind)) {
                    throw new PgReplicationSetupException("slot=" + slotName + ": " + table + " is not a table"
                                                          + " (relkind " + kind + "); only tables can be published");
                }
                boolean usable = "f".equals(identity) || ("d".equals(identity) && hasPk)
                                 || ("i".equals(identity) && hasIdentityIndex);
                if (publishesUpdateOrDelete && !usable && !"p".equals(kind)) {
                    throw new PgReplicationSetupException("slot=" + slotName + ": table " + table + " has no primary"
                                                          + " key or replica identity; once published, UPDATE and"
                                                          + " DELETE on it would fail for the application. Add a"
                                                          + " primary key, or run ALTER TABLE " + table.toSql()
                                                          + " REPLICA IDENTITY FULL; or publish only inserts"
                                                          + " (option publish=insert)");
                }
            }
        }
    }

    /** The live (not dropped) columns of a table in table order; empty when the table does not exist. */
    public List<String> columnNames(TableSpec table) throws SQLException {
        return strings("SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                       + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?"
                       + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", table.schema(), table.table());
    }

    /** The primary key columns of a table, in key order; empty when it has none. */
    public List<String> primaryKey(int relationOid) throws SQLException {
        return strings("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                       + " AND a.attnum = ANY (i.indkey) WHERE i.indrelid = ? AND i.indisprimary"
                       + " ORDER BY array_position(i.indkey::int2[], a.attnum)", relationOid);
    }

    /** The first column of every row of a query with bind parameters. */
    private List<String> strings(String sql, Object... parameters) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    // ---- types

    /** A type's catalog entry, to decode values of types that are not built in; fails when the type is gone. */
    public TypeInfo type(int typeOid) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT n.nspname, t.typname, t.typtype, t.typcategory, t.typbasetype, t.typelem, t.typdelim,"
                + " t.typsend::oid <> 0 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                + " WHERE t.oid = ?")) {
            ps.setInt(1, typeOid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("Type OID " + typeOid + " of a published column is not in pg_type"
                                           + " (dropped since the change was made?)");
                }
                return new TypeInfo(typeOid, rs.getString(1), rs.getString(2), rs.getString(3).charAt(0),
                        rs.getString(4).charAt(0), (int) rs.getLong(5), (int) rs.getLong(6),
                        rs.getString(7).charAt(0), rs.getBoolean(8));
            }
        }
    }

    /** One column of a published table and its type. */
    public record PublishedColumn(String schema, String table, String column, int typeOid) {
    }

    /** Every published column of every table in the publication, with its type OID. */
    public List<PublishedColumn> publishedColumns(String publication) throws SQLException {
        List<PublishedColumn> columns = new ArrayList<>();
        // PostgreSQL 15+ column lists: only the listed columns are sent.
        String listed = serverVersion() >= 150000 ? " AND a.attname = ANY (p.attnames)" : "";
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT p.schemaname, p.tablename, a.attname, a.atttypid FROM pg_publication_tables p"
                + " JOIN pg_namespace n ON n.nspname = p.schemaname"
                + " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename"
                + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " WHERE p.pubname = ?" + listed + " ORDER BY 1, 2, a.attnum")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new PublishedColumn(rs.getString(1), rs.getString(2), rs.getString(3),
                            (int) rs.getLong(4)));
                }
            }
        }
        return columns;
    }

    // ---- slots

    public Optional<SlotInfo> slot(String slotName) throws SQLException {
        // to_jsonb keeps the query valid on versions without wal_status (PG < 13). A standby has no current WAL
        // position of its own, so retained bytes are only computed on a primary.
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT slot_name, plugin, slot_type, database, active, active_pid, confirmed_flush_lsn::text,"
                + " restart_lsn::text, to_jsonb(s) ->> 'wal_status', CASE WHEN pg_is_in_recovery() THEN NULL"
                + " ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint END"
                + " FROM pg_replication_slots s WHERE slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Integer pid = rs.getObject(6, Integer.class);
                Long retained = rs.getObject(10, Long.class);
                return Optional.of(new SlotInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getBoolean(5), pid, rs.getString(7), rs.getString(8), rs.getString(9), retained));
            }
        }
    }

    /** Who holds a slot: pid, application and client address, for the "slot is active" message. */
    public String describeBackend(int pid) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT application_name, client_addr::text, backend_start FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "PID " + pid;
                }
                return "PID " + pid + " (application_name='" + rs.getString(1) + "', client "
                       + (rs.getString(2) == null ? "local socket" : rs.getString(2)) + ", since " + rs.getString(3)
                       + ")";
            }
        }
    }

    /** Creates a permanent logical slot for pgoutput; returns its consistent point. */
    public String createSlot(String slotName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    public void dropSlot(String slotName) throws SQLException {
        Optional<SlotInfo> slot = slot(slotName);
        if (slot.isEmpty()) {
            return;
        }
        if (slot.get().active() && slot.get().activePid() != null) {
            throw new PgReplicationSetupException("slot=" + slotName + ": cannot drop the slot, it is in use by "
                                                  + describeBackend(slot.get().activePid())
                                                  + ". Stop that consumer, or run SELECT pg_terminate_backend("
                                                  + slot.get().activePid() + ");");
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            ps.setString(1, slotName);
            ps.execute();
        }
    }

    private String queryString(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }
}
