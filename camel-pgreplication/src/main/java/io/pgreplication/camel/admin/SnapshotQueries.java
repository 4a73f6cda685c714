package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.table.Identifiers;
import io.pgreplication.camel.table.TableSpec;

/**
 * The SQL of the initial snapshot: the temporary exporting slot, importing its snapshot, describing the
 * published tables as pgoutput would, sizing them for chunked reads and the COPY statements that read them.
 */
public final class SnapshotQueries {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection connection;

    public SnapshotQueries(Connection connection) {
        this.connection = connection;
    }

    /** What {@code CREATE_REPLICATION_SLOT ... EXPORT_SNAPSHOT} returned. */
    public record ExportedSlot(String slotName, String consistentPoint, String snapshotName) {
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

    /**
     * On a replication connection: creates a TEMPORARY logical slot for pgoutput that exports its snapshot. The slot
     * and the snapshot live as long as the connection stays open and runs no other command.
     */
    public ExportedSlot createExportingSlot(String tempSlotName) throws SQLException {
        if (!Identifiers.isValidSlotName(tempSlotName)) {
            throw new IllegalArgumentException("Invalid temporary slot name " + tempSlotName);
        }
        // The keyword forms work on PostgreSQL 10 to 18. The slot name is validated: replication commands take no
        // bind parameters.
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("CREATE_REPLICATION_SLOT " + tempSlotName
                                            + " TEMPORARY LOGICAL pgoutput EXPORT_SNAPSHOT")) {
            rs.next();
            return new ExportedSlot(rs.getString(1), rs.getString(2), rs.getString(3));
        }
    }

    /** Starts a read-only REPEATABLE READ transaction that sees exactly the exported snapshot. */
    public void beginInSnapshot(String snapshotName) throws SQLException {
        execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        execute("SET TRANSACTION SNAPSHOT " + Identifiers.literal(snapshotName));
    }

    public void commit() throws SQLException {
        execute("COMMIT");
    }

    /**
     * Holds ACCESS SHARE locks on the tables until the transaction ends, so no VACUUM FULL, CLUSTER or TRUNCATE
     * rewrites them while their chunks are read (pg_dump does the same).
     */
    public void lockForRead(List<TableSpec> tables) throws SQLException {
        for (TableSpec table : tables) {
            execute("LOCK TABLE " + table.toSql() + " IN ACCESS SHARE MODE");
        }
    }

    /** Copies the finished temporary slot into the permanent one: same restart LSN, same consistent point (PG12+). */
    public void copySlot(String tempSlot, String slot) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT lsn::text FROM pg_copy_logical_replication_slot(?, ?, false)")) {
            ps.setString(1, tempSlot);
            ps.setString(2, slot);
            ps.execute();
        }
    }

    /** The publication's tables, as pgoutput reports them (partition roots under publish_via_partition_root). */
    public List<TableSpec> publishedTables(String publication) throws SQLException {
        return new ReplicationAdmin(connection).publicationTables(publication);
    }

    /** Describes a published table the way pgoutput's Relation and Type messages would. */
    public PublishedTable describe(String publication, TableSpec table, int serverVersion) throws SQLException {
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
                                        || (serverVersion >= 180000 && generatedPublished && "s".equals(generated));
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
            return new ReplicationAdmin(connection).primaryKey(oid);
        }
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + " AND a.attnum = ANY (i.indkey) WHERE i.indrelid = ? AND i.indisreplident ORDER BY a.attnum")) {
            ps.setInt(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        return columns;
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

    /** The relation's size in pages as of now (rows visible in the snapshot are never beyond it). */
    public long pages(TableSpec relation) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT pg_relation_size(?::regclass) / current_setting('block_size')::bigint")) {
            ps.setString(1, relation.toSql());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * {@code COPY (SELECT cols FROM ONLY relation WHERE ...) TO STDOUT}, text format. {@code fromPage}/{@code toPage}
     * bound a CTID range (a TID range scan on PostgreSQL 14+); -1 leaves that side open.
     */
    public static String copyStatement(TableSpec relation, List<String> columns, String rowFilter, long fromPage,
                                       long toPage, boolean binary) {
        StringBuilder sql = new StringBuilder("COPY (SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(Identifiers.quote(columns.get(i)));
        }
        sql.append(" FROM ONLY ").append(relation.toSql());
        List<String> where = new ArrayList<>(3);
        if (fromPage > 0) {
            where.add("ctid >= '(" + fromPage + ",0)'::tid");
        }
        if (toPage >= 0) {
            where.add("ctid < '(" + toPage + ",0)'::tid");
        }
        if (rowFilter != null) {
            // The publication's own row filter, as the server printed it (pg_get_expr): not user text.
            where.add("(" + rowFilter + ")");
        }
        if (!where.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", where));
        }
        return sql.append(binary ? ") TO STDOUT (FORMAT binary)" : ") TO STDOUT").toString();
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

    private void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }
}
