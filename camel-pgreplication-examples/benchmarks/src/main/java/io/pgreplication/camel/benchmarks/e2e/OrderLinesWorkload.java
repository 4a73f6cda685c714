package io.pgreplication.camel.benchmarks.e2e;

import java.math.BigInteger;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The end-to-end benchmark's data: the demo's {@code order_lines} shape ({@code (order_id, line)} key, text, int and
 * numeric columns) in {@code <schema>.order_lines}, loaded with {@code rows} rows (two lines for each of
 * {@code rows / 2} orders), and a backlog of changes written by a server-side procedure in transactions of 1,000 row changes each:
 * 200 deletes, 400 updates, 100 key changes ({@code line + 10}) and 300 inserts. Every transaction touches 350 orders
 * no earlier transaction touched, picked all over the table by a multiplicative permutation, so each statement
 * changes exactly the rows it aims at and the number of changes is known in advance.
 */
final class OrderLinesWorkload {

    static final String COLUMNS = "order_id, line, sku, qty, price";
    /** Row changes per transaction, and orders each transaction touches. */
    static final int CHANGES_PER_TRANSACTION = 1000;
    private static final int ORDERS_PER_TRANSACTION = 350;

    private final String schema;
    private final String table;
    private final long rows;

    /**
     * @param schema the schema, dropped and created; the table is {@code <schema>.order_lines}, the publication
     *               {@code <schema>_pub}
     * @param rows   rows loaded: a positive multiple of 2
     */
    OrderLinesWorkload(String schema, long rows) {
        if (rows < 2 || rows % 2 != 0) {
            throw new IllegalArgumentException("the row count must be a positive even number, not " + rows);
        }
        this.schema = schema;
        this.table = schema + ".order_lines";
        this.rows = rows;
    }

    String table() {
        return table;
    }

    String publication() {
        return schema + "_pub";
    }

    long rows() {
        return rows;
    }

    long orders() {
        return rows / 2;
    }

    /** The most transactions the table has untouched orders for. */
    long maxTransactions() {
        return orders() / ORDERS_PER_TRANSACTION;
    }

    /** Drops and creates schema, table and publication, then loads the rows. */
    void load(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP PUBLICATION IF EXISTS " + publication());
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + table + " (order_id bigint, line int, sku text, qty int, price numeric(10,2),"
                       + " PRIMARY KEY (order_id, line))");
            st.execute("INSERT INTO " + table + " SELECT o, l, 'SKU-' || (o * 3 + l) % 97, 1 + (o + l) % 4,"
                       + " ((o + l) * 3.17) % 100 FROM generate_series(1, " + orders() + ") o,"
                       + " generate_series(1, 2) l");
            st.execute("VACUUM ANALYZE " + table);
            st.execute("CREATE PUBLICATION " + publication() + " FOR TABLE " + table);
        }
    }

    /** The table's size on disk, for the header. */
    String size(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_size_pretty(pg_table_size('" + table + "'))")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Writes {@code transactions} transactions of {@link #CHANGES_PER_TRANSACTION} row changes; returns the row
     * changes the server counted.
     */
    long writeChanges(Connection c, long transactions) throws SQLException {
        if (transactions > maxTransactions()) {
            throw new IllegalArgumentException(transactions + " transactions need " + transactions
                                               * ORDERS_PER_TRANSACTION + " orders; the table has " + orders());
        }
        long step = permutationStep();
        // Order k of the permutation: 1 + (k * step) % orders, distinct for k < orders because gcd(step, orders) = 1.
        String pick = "SELECT 1 + ((k0 + i) * " + step + ") % " + orders() + " FROM generate_series(";
        try (Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE PROCEDURE " + schema + ".write_changes(transactions bigint,"
                       + " INOUT changed bigint) LANGUAGE plpgsql AS $$"
                       + " DECLARE k0 bigint; n bigint; next_order bigint := " + (orders() + 1) + "; BEGIN"
                       + " changed := 0;"
                       + " FOR t IN 0 .. transactions - 1 LOOP"
                       + "  k0 := t * " + ORDERS_PER_TRANSACTION + ";"
                       + "  DELETE FROM " + table + " WHERE order_id IN (" + pick + "0, 99) i);"
                       + "  GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;"
                       + "  UPDATE " + table + " SET qty = qty + 1, price = price + 0.01, sku = sku || '+'"
                       + "   WHERE order_id IN (" + pick + "100, 299) i);"
                       + "  GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;"
                       + "  UPDATE " + table + " SET line = line + 10 WHERE order_id IN (" + pick + "300, 349) i);"
                       + "  GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;"
                       + "  INSERT INTO " + table + " SELECT o, l, 'SKU-new', l, 9.99"
                       + "   FROM generate_series(next_order, next_order + 149) o, generate_series(1, 2) l;"
                       + "  GET DIAGNOSTICS n = ROW_COUNT; changed := changed + n;"
                       + "  next_order := next_order + 150;"
                       + "  COMMIT;"
                       + " END LOOP; END $$");
        }
        c.setAutoCommit(true);
        try (CallableStatement call = c.prepareCall("CALL " + schema + ".write_changes(?, 0)")) {
            call.setLong(1, transactions);
            try (ResultSet rs = call.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A step coprime with the number of orders, so k * step mod orders visits every order once. */
    private long permutationStep() {
        long step = 7919;
        while (!BigInteger.valueOf(step).gcd(BigInteger.valueOf(orders())).equals(BigInteger.ONE)) {
            step += 2;
        }
        return step;
    }
}
