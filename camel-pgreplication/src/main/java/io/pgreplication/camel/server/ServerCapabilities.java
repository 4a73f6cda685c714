package io.pgreplication.camel.server;

import java.sql.Connection;
import java.sql.SQLException;

import org.postgresql.core.BaseConnection;

/**
 * What the connected PostgreSQL server can do, by version: read once per connection (pgjdbc learns the version at
 * login, so it costs no query), asked by feature everywhere else. Every version-dependent decision of the component
 * is one of these methods.
 *
 * @param versionNum {@code server_version_num}, e.g. 170005
 */
public record ServerCapabilities(int versionNum) {

    /** The capabilities of the server behind an open pgjdbc connection (regular or replication). */
    public static ServerCapabilities of(Connection connection) throws SQLException {
        return new ServerCapabilities(connection.unwrap(BaseConnection.class).getQueryExecutor().getServerVersionNum());
    }

    /** The major version, e.g. 17. */
    public int major() {
        return versionNum / 10000;
    }

    /** Logical replication with pgoutput (10+). */
    public boolean logicalReplication() {
        return versionNum >= 100000;
    }

    /** {@code pg_replication_slot_advance} (11+). */
    public boolean slotAdvance() {
        return versionNum >= 110000;
    }

    /** {@code pg_copy_logical_replication_slot}, which the initial snapshot makes its slot with (12+). */
    public boolean slotCopy() {
        return versionNum >= 120000;
    }

    /** Publications with {@code publish_via_partition_root} (13+). */
    public boolean publishViaPartitionRoot() {
        return versionNum >= 130000;
    }

    /** pgoutput's binary option (14+). */
    public boolean binaryValues() {
        return versionNum >= 140000;
    }

    /** pgoutput's messages option (14+); older servers reject the stream when it is given. */
    public boolean messages() {
        return versionNum >= 140000;
    }

    /** TID range scans, which make CTID page ranges cheap to read (14+). */
    public boolean tidRangeScans() {
        return versionNum >= 140000;
    }

    /** {@code FOR TABLES IN SCHEMA} publications (15+). */
    public boolean schemaPublications() {
        return versionNum >= 150000;
    }

    /** Publication column lists (15+). */
    public boolean columnLists() {
        return versionNum >= 150000;
    }

    /**
     * Failover slots (17+): a slot with the failover property is synchronized to standbys that run with
     * {@code sync_replication_slots = on}, so it survives a promotion.
     */
    public boolean failoverSlots() {
        return versionNum >= 170000;
    }

    /** Stored generated columns published under {@code publish_generated_columns} (18+). */
    public boolean generatedColumnPublication() {
        return versionNum >= 180000;
    }

    /** The newest pgoutput protocol version the server speaks: 16+ know 4, 15 knows 3, 14 knows 2, older 1. */
    public int protocolVersion() {
        if (versionNum >= 160000) {
            return 4;
        }
        if (versionNum >= 150000) {
            return 3;
        }
        return versionNum >= 140000 ? 2 : 1;
    }

    /** E.g. {@code 13 (server_version_num 130012)}, for messages. */
    public String describe() {
        return major() + " (server_version_num " + versionNum + ")";
    }
}
