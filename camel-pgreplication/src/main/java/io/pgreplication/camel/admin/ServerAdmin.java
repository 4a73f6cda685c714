package io.pgreplication.camel.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.table.Identifiers;

/** The server and the role as logical replication needs them: version, wal_level, privileges, settings, backends. */
public final class ServerAdmin {

    private final Connection connection;

    public ServerAdmin(Connection connection) {
        this.connection = connection;
    }

    /** Fails with the fix unless the server can do logical decoding for this role. */
    public void checkServer(String slotName) throws SQLException {
        ServerCapabilities server = ServerCapabilities.of(connection);
        if (!server.logicalReplication()) {
            throw new PgReplicationSetupException("slot=" + slotName + ": PostgreSQL " + server.major() + " is too"
                                                  + " old; logical replication with pgoutput needs PostgreSQL 10 or"
                                                  + " newer");
        }
        String walLevel = Sql.string(connection, "SHOW wal_level");
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

    /** This session's wal_sender_timeout (zero: disabled); a role or database may lower it. */
    public Duration walSenderTimeout() throws SQLException {
        return Duration.ofMillis(Long.parseLong(Sql.string(connection,
                "SELECT setting FROM pg_settings WHERE name = 'wal_sender_timeout'")));
    }

    /** Who a backend is: pid, application and client address, for the "slot is in use" messages. */
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
}
