package io.pgreplication.camel.benchmarks.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import io.pgreplication.camel.examples.SlotPosition;

/**
 * The fixed workload of the streaming benchmark: a table, a publication and every slot the
 * run will read, all created <em>before</em> the load so each slot sees exactly the same WAL, then N rows in
 * transactions of a chosen size (1,000 by default, 1 for single-row commits), narrow or wide rows. The WAL positions around the load give its size and the end LSN a
 * reader has to reach.
 */
public final class BenchmarkBacklog {

    public static final String TABLE = "public.bench";
    public static final String PUBLICATION = "pgrbench_pub";

    /**
     * The table's shape: {@code narrow} (4 columns, the original workload) or {@code wide} (20 columns of mixed
     * types), each with the column list and the SELECT expressions of row {@code g}.
     */
    public enum Shape {
        NARROW("id bigint PRIMARY KEY, a int, b text, c timestamptz",
                "g, (g % 100000)::int, md5(g::text), now() + g * interval '1 millisecond'"),
        WIDE("id bigint PRIMARY KEY, i4 int, i8 bigint, i2 smallint, amount numeric(12,2), ratio float8, score float4,"
             + " flag bool, name text, code varchar(40), tag char(8), day date, at timestamp, at_tz timestamptz,"
             + " clock time, ref uuid, doc jsonb, raw bytea, nums int[], span interval",
                "g, (g % 100000)::int, g * 1000, (g % 30000)::smallint, g / 100.0, g / 7.0, (g % 1000) / 3.0,"
                + " g % 2 = 0, 'customer ' || g, md5(g::text), lpad((g % 1000)::text, 8, '0'),"
                + " date '2026-01-01' + (g % 365)::int, timestamp '2026-01-01' + g * interval '1 second',"
                + " now() + g * interval '1 millisecond', time '00:00' + g * interval '1 second',"
                + " md5(g::text)::uuid, jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g % 10)),"
                + " decode(md5(g::text), 'hex'), ARRAY[g % 10, g % 100, g % 1000]::int[],"
                + " (g % 1000) * interval '1 minute'");

        final String columns;
        final String values;

        Shape(String columns, String values) {
            this.columns = columns;
            this.values = values;
        }
    }

    /** What the load wrote: row and transaction counts, WAL positions, how long the load took. */
    public record Result(long rows, long transactions, long startLsn, long endLsn, double loadSeconds) {
        public double walMegabytes() {
            return (endLsn - startLsn) / (1024.0 * 1024.0);
        }
    }

    private BenchmarkBacklog() {
    }

    /**
     * Drops what an earlier run left (only objects named by this benchmark), then creates table, publication and
     * {@code slots} (pgoutput) in that order.
     */
    public static void prepare(Connection c, List<String> slots, Shape shape) throws SQLException {
        try (Statement s = c.createStatement()) {
            // A slot that survived an earlier, interrupted run on an external server would pin its WAL forever.
            try (ResultSet rs = s.executeQuery("SELECT slot_name FROM pg_replication_slots"
                                               + " WHERE slot_name LIKE 'pgrbench\\_%' AND NOT active")) {
                while (rs.next()) {
                    dropSlot(c, rs.getString(1));
                }
            }
            s.execute("DROP PUBLICATION IF EXISTS " + PUBLICATION);
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (" + shape.columns + ")");
            s.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + TABLE);
        }
        for (String slot : slots) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
                ps.setString(1, slot);
                ps.execute();
            }
        }
    }

    /**
     * Inserts {@code rows} rows in transactions of {@code perTransaction} rows and records the WAL around them. A
     * server-side procedure commits every {@code perTransaction} rows, so the load costs server work, not client
     * round trips, even with single-row transactions.
     */
    public static Result load(Connection c, long rows, long perTransaction, Shape shape) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE PROCEDURE pgrbench_load(total bigint, per bigint) LANGUAGE plpgsql AS $$"
                      + " DECLARE first bigint := 1; BEGIN WHILE first <= total LOOP"
                      + " INSERT INTO " + TABLE + " SELECT " + shape.values
                      + " FROM generate_series(first, least(total, first + per - 1)) g;"
                      + " COMMIT; first := first + per; END LOOP; END $$");
        }
        long start = SlotPosition.currentLsn(c);
        long began = System.nanoTime();
        c.setAutoCommit(true);
        try (PreparedStatement ps = c.prepareStatement("CALL pgrbench_load(?, ?)")) {
            ps.setLong(1, rows);
            ps.setLong(2, perTransaction);
            ps.execute();
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        long transactions = (rows + perTransaction - 1) / perTransaction;
        return new Result(rows, transactions, start, SlotPosition.currentLsn(c), seconds);
    }

    /**
     * Inserts the slot would still deliver after its confirmed position: 0 when a reader that cannot count rows
     * (pg_recvlogical) really read the whole backlog. Peeking does not move the slot.
     */
    public static long insertsLeft(Connection c, String slot, int protocol) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_logical_slot_peek_binary_changes(?,"
                                                       + " NULL, NULL, 'proto_version', ?, 'publication_names', ?)"
                                                       + " WHERE get_byte(data, 0) = ascii('I')")) {
            ps.setString(1, slot);
            ps.setString(2, String.valueOf(protocol));
            ps.setString(3, PUBLICATION);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Bytes the slot's decoding spilled to disk (PG14+), or -1 when the server does not say. */
    public static long spilledBytes(Connection c, String slot) {
        try (PreparedStatement ps = c.prepareStatement("SELECT spill_bytes FROM pg_stat_replication_slots"
                                                       + " WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        } catch (SQLException e) {
            return -1;
        }
    }

    public static int serverVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1));
        }
    }

    public static String serverVersionText(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The pgoutput protocol the component asks for on this server, so the floor decodes the same stream. */
    public static int protocolVersion(int serverVersion) {
        return new io.pgreplication.camel.server.ServerCapabilities(serverVersion).protocolVersion();
    }

    /** Drops a slot, waiting briefly for a walsender that is still exiting to release it. */
    public static void dropSlot(Connection c, String slot) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                ps.setString(1, slot);
                ps.execute();
                return;
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState()) || attempt >= 50) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
