package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.Identifiers;
import io.pgreplication.camel.table.TableSpec;

/**
 * Publications: what they publish, creating and extending them, and whether a table can be published. Names are
 * always quoted; values go through bind parameters or {@link Identifiers#literal(String)}.
 */
public final class PublicationAdmin {

    private final Connection connection;
    private final ServerCapabilities server;

    public PublicationAdmin(Connection connection, ServerCapabilities server) {
        this.connection = connection;
        this.server = server;
    }

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

    /** A published table and its OID. */
    public record PublishedRelation(int oid, TableSpec table) {
    }

    /**
     * The tables the publication streams now with their OIDs, as pgoutput reports them (partition roots under
     * publish_via_partition_root).
     */
    public List<PublishedRelation> publishedRelations(String publication) throws SQLException {
        List<PublishedRelation> tables = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT c.oid, p.schemaname, p.tablename FROM pg_publication_tables p"
                + " JOIN pg_namespace n ON n.nspname = p.schemaname"
                + " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename"
                + " WHERE p.pubname = ? ORDER BY 2, 3")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new PublishedRelation((int) rs.getLong(1),
                            new TableSpec(rs.getString(2), rs.getString(3))));
                }
            }
        }
        return tables;
    }

    /** Schemas published whole ({@code FOR TABLES IN SCHEMA}, PG15+). */
    public Set<String> publicationSchemas(String publication) throws SQLException {
        Set<String> schemas = new LinkedHashSet<>();
        if (!server.schemaPublications()) {
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
        if (server.publishViaPartitionRoot()) {
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
            Sql.execute(connection, sql);
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
        Sql.execute(connection, "DROP PUBLICATION IF EXISTS " + Identifiers.quote(publication));
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

    /** One column of a published table and its type. */
    public record PublishedColumn(int tableOid, String schema, String table, String column, int typeOid) {
    }

    /** Every published column of every table in the publication, with its type OID. */
    public List<PublishedColumn> publishedColumns(String publication) throws SQLException {
        List<PublishedColumn> columns = new ArrayList<>();
        // PostgreSQL 15+ column lists: only the listed columns are sent.
        String listed = server.columnLists() ? " AND a.attname = ANY (p.attnames)" : "";
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT c.oid, p.schemaname, p.tablename, a.attname, a.atttypid FROM pg_publication_tables p"
                + " JOIN pg_namespace n ON n.nspname = p.schemaname"
                + " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename"
                + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " WHERE p.pubname = ?" + listed + " ORDER BY 2, 3, a.attnum")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new PublishedColumn((int) rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), (int) rs.getLong(5)));
                }
            }
        }
        return columns;
    }
}
