package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeInfo;

/**
 * The catalog as the stream and the snapshot need it: a table's columns and primary key, a type's description, and a
 * published table described the way pgoutput's Relation and Type messages would describe it.
 */
public final class TableCatalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection connection;
    private final ServerCapabilities server;

    public TableCatalog(Connection connection, ServerCapabilities server) {
        this.connection = connection;
        this.server = server;
    }

    /** One column as pgoutput's Relation message would describe it. */
    public record Column(String name, int typeOid, int typeModifier, boolean key) {
    }

    /**
     * A published table as pgoutput sees it: its published columns in attribute order (key flags as in docs/user-guide.md,
     * "Keys and REPLICA IDENTITY": primary key, else replica identity), the type names a Type message would carry, the publication's row filter
     * (PostgreSQL 15+) and the relations holding its rows (itself, or the leaf partitions of a partitioned table).
     */
    public record PublishedTable(TableSpec table, int oid, byte replicaIdentity, List<Column> columns,
            Map<Integer, String> typeNames, String rowFilter, List<TableSpec> sources) {
    }

    /** The OID of a relation by its current name; null when there is none by that name. */
    public Integer oidOf(TableSpec table) throws SQLException {
        List<String> oid = Sql.strings(connection, "SELECT c.oid::int8 FROM pg_class c JOIN pg_namespace n"
                       + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?",
                table.schema(), table.table());
        return oid.isEmpty() ? null : (int) Long.parseLong(oid.get(0));
    }

    /** The live (not dropped) columns of a table in table order; empty when the table does not exist. */
    public List<String> columnNames(TableSpec table) throws SQLException {
        return Sql.strings(connection, "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                       + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?"
                       + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", table.schema(), table.table());
    }

    /** The primary key columns of a table, in key order; empty when it has none. */
    public List<String> primaryKey(int relationOid) throws SQLException {
        return Sql.strings(connection, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                       + " AND a.attnum = ANY (i.indkey) WHERE i.indrelid = ? AND i.indisprimary"
                       + " ORDER BY array_position(i.indkey::int2[], a.attnum)", relationOid);
    }

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

    /** Describes a published table the way pgoutput's Relation and Type messages would. */
    public PublishedTable describePublished(String publication, TableSpec table) throws SQLException {
        int oid;
        byte identity;
        String kind;
        boolean generatedPublished = false;
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT c.oid, c.relreplident, c.relkind, to_jsonb(p) ->> 'pubgencols'"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_publication p ON p.pubname = ? WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, publication);
            ps.setString(2, table.schema());
            ps.setString(3, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new PgReplicationSetupException("table " + table + " of publication " + publication
                                                          + " does not exist in the snapshot");
                }
                oid = rs.getInt(1);
                identity = (byte) rs.getString(2).charAt(0);
                kind = rs.getString(3);
                generatedPublished = "s".equals(rs.getString(4));
            }
        }
        String rowFilter = null;
        Set<String> columnList = null;
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT to_jsonb(pt) ->> 'rowfilter', to_jsonb(pt) -> 'attnames' FROM pg_publication_tables pt"
                + " WHERE pubname = ? AND schemaname = ? AND tablename = ?")) {
            ps.setString(1, publication);
            ps.setString(2, table.schema());
            ps.setString(3, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    rowFilter = rs.getString(1);
                    columnList = names(rs.getString(2));
                }
            }
        }
        List<String> keyColumns = keyColumns(oid, identity);
        List<Column> columns = new ArrayList<>();
        Map<Integer, String> typeNames = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT a.attname, a.atttypid, a.atttypmod, a.attgenerated::text, bn.nspname, bt.typname"
                + " FROM pg_attribute a CROSS JOIN LATERAL (WITH RECURSIVE d(oid, base) AS ("
                + " SELECT t.oid, t.typbasetype FROM pg_type t WHERE t.oid = a.atttypid UNION ALL"
                + " SELECT t.oid, t.typbasetype FROM pg_type t JOIN d ON t.oid = d.base)"
                + " SELECT oid FROM d WHERE base = 0) base JOIN pg_type bt ON bt.oid = base.oid"
                + " JOIN pg_namespace bn ON bn.oid = bt.typnamespace"
                + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setInt(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String generated = rs.getString(4);
                    // pgoutput leaves generated columns out, except stored ones under publish_generated_columns (18).
                    boolean published = generated == null || generated.isEmpty()
                                        || (server.generatedColumnPublication() && generatedPublished && "s".equals(generated));
                    if (!published || (columnList != null && !columnList.contains(name))) {
                        continue;
                    }
                    int typeOid = rs.getInt(2);
                    columns.add(new Column(name, typeOid, rs.getInt(3), keyColumns.contains(name)
                                                                        || (keyColumns.isEmpty() && identity == 'f')));
                    if (typeOid >= 10000) {
                        // A Type message names the base type of a domain, without pg_catalog.
                        String ns = rs.getString(5);
                        typeNames.put(typeOid, "pg_catalog".equals(ns) ? rs.getString(6) : ns + "." + rs.getString(6));
                    }
                }
            }
        }
        List<TableSpec> sources = "p".equals(kind) ? leafPartitions(oid) : List.of(table);
        return new PublishedTable(table, oid, identity, columns, typeNames, rowFilter, sources);
    }

    /**
     * The key columns as streaming reports them: the replica identity index's under USING INDEX, otherwise the
     * primary key (empty without one; under FULL every column is then a key column).
     */
    private List<String> keyColumns(int oid, byte identity) throws SQLException {
        if (identity != 'i') {
            return primaryKey(oid);
        }
        return Sql.strings(connection, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                       + " AND a.attnum = ANY (i.indkey) WHERE i.indrelid = ? AND i.indisreplident ORDER BY a.attnum",
                oid);
    }

    private List<TableSpec> leafPartitions(int oid) throws SQLException {
        List<TableSpec> leaves = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT n.nspname, c.relname FROM pg_partition_tree(?::oid) t JOIN pg_class c ON c.oid = t.relid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.isleaf ORDER BY 1, 2")) {
            ps.setInt(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leaves.add(new TableSpec(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return leaves;
    }

    private static Set<String> names(String jsonArray) {
        if (jsonArray == null) {
            return null;
        }
        try {
            Set<String> names = new HashSet<>();
            for (JsonNode n : JSON.readTree(jsonArray)) {
                names.add(n.asText());
            }
            return names;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Unreadable attnames from pg_publication_tables: " + jsonArray, e);
        }
    }
}
