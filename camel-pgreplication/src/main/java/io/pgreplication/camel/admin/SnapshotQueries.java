package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.table.Identifiers;
import io.pgreplication.camel.table.TableSpec;

/**
 * The SQL of a snapshot: the temporary exporting slot, importing its snapshot, locking the tables, sizing them for
 * chunked reads and the COPY statements that read them.
 */
public final class SnapshotQueries {

    private final Connection connection;

    public SnapshotQueries(Connection connection) {
        this.connection = connection;
    }

    /** What {@code CREATE_REPLICATION_SLOT ... EXPORT_SNAPSHOT} returned. */
    public record ExportedSlot(String slotName, Lsn consistentPoint, String snapshotName) {
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
            return new ExportedSlot(rs.getString(1), Lsn.parse(rs.getString(2)), rs.getString(3));
        }
    }

    /** Starts a read-only REPEATABLE READ transaction that sees exactly the exported snapshot. */
    public void beginInSnapshot(String snapshotName) throws SQLException {
        Sql.execute(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        Sql.execute(connection, "SET TRANSACTION SNAPSHOT " + Identifiers.literal(snapshotName));
    }

    public void commit() throws SQLException {
        Sql.execute(connection, "COMMIT");
    }

    /**
     * Holds ACCESS SHARE locks on the tables until the transaction ends, so no VACUUM FULL, CLUSTER or TRUNCATE
     * rewrites them while their chunks are read (pg_dump does the same).
     */
    public void lockForRead(List<TableSpec> tables) throws SQLException {
        for (TableSpec table : tables) {
            Sql.execute(connection, "LOCK TABLE " + table.toSql() + " IN ACCESS SHARE MODE");
        }
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
     * {@code COPY (SELECT cols FROM ONLY relation WHERE ...) TO STDOUT}, binary or text. {@code fromPage} and
     * {@code toPage} bound a CTID range (a TID range scan on PostgreSQL 14+); -1 leaves that side open.
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
}
