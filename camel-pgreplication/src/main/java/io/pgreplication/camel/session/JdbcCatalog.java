package io.pgreplication.camel.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.admin.PublicationAdmin;
import io.pgreplication.camel.admin.ServerAdmin;
import io.pgreplication.camel.admin.SlotAdmin;
import io.pgreplication.camel.admin.SlotInfo;
import io.pgreplication.camel.admin.TableCatalog;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeInfo;

/**
 * The {@link Catalog} of one replication connection's lifetime, on a regular connection opened on first use. Owned by
 * the session's reading thread.
 */
final class JdbcCatalog implements Catalog {

    private final ConnectionSettings settings;
    private final String slot;
    private final Map<Integer, TypeInfo> types = new HashMap<>();
    private Connection connection;

    JdbcCatalog(ConnectionSettings settings, String slot) {
        this.settings = settings;
        this.slot = slot;
    }

    /** Not cached: a new Relation follows DDL, which may have added or dropped the key. */
    @Override
    public List<String> primaryKey(int relationOid) {
        try {
            return tables().primaryKey(relationOid);
        } catch (SQLException e) {
            throw new IllegalStateException("slot=" + slot + ": cannot read the primary key of relation "
                                            + relationOid, e);
        }
    }

    /** Cached until {@link #forgetTypes()}. */
    @Override
    public TypeInfo type(int oid) {
        TypeInfo known = types.get(oid);
        if (known == null) {
            try {
                known = tables().type(oid);
            } catch (SQLException e) {
                throw new IllegalStateException("slot=" + slot + ": cannot read type " + oid + " from pg_type", e);
            }
            types.put(oid, known);
        }
        return known;
    }

    @Override
    public void forgetTypes() {
        types.clear();
    }

    /** The publication's columns with their types, for the binary-values decision. */
    List<PublicationAdmin.PublishedColumn> publishedColumns(String publication) throws SQLException {
        return new PublicationAdmin(connection(), ServerCapabilities.of(connection())).publishedColumns(publication);
    }

    @Override
    public int tableOid(TableSpec table) {
        try {
            Integer oid = tables().oidOf(table);
            return oid == null ? 0 : oid;
        } catch (SQLException e) {
            throw new IllegalStateException("slot=" + slot + ": cannot look up table " + table, e);
        }
    }

    /** The backend holding the slot, or "another process" when it cannot be found. */
    String describeHolder() {
        try {
            Integer pid = new SlotAdmin(connection()).slot(slot).map(SlotInfo::activePid).orElse(null);
            return pid == null ? "another process" : new ServerAdmin(connection()).describeBackend(pid);
        } catch (SQLException e) {
            return "another process";
        }
    }

    /** The slot's row of pg_replication_slots; null when the slot does not exist. */
    SlotInfo slot() throws SQLException {
        return new SlotAdmin(connection()).slot(slot).orElse(null);
    }

    private TableCatalog tables() throws SQLException {
        return new TableCatalog(connection(), ServerCapabilities.of(connection()));
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = settings.openRegular("camel-pgreplication catalog " + slot);
        }
        return connection;
    }

    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
    }
}
