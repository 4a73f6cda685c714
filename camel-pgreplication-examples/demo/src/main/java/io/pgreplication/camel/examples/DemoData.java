package io.pgreplication.camel.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's source data in schema {@code demo}: customers, orders and order lines (a composite key) with numeric,
 * timestamp, date, json and text values; and the writer that changes them while the demo runs.
 */
final class DemoData {

    static final String SCHEMA = "demo";
    static final List<String> TABLES = List.of("demo.customers", "demo.orders", "demo.order_lines");

    private static final String[] STATUSES = {"new", "paid", "packed", "shipped", "delivered"};
    private static final String[] COUNTRIES = {"DE", "FR", "US", "BR", "JP", "NZ"};

    private DemoData() {
    }

    /** Drops and creates the demo schema with its three tables, empty. */
    static void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS demo CASCADE");
            st.execute("CREATE SCHEMA demo");
            st.execute("CREATE TABLE demo.customers (id int PRIMARY KEY, name text NOT NULL, email varchar(120),"
                       + " country char(2), signed_up timestamptz NOT NULL, profile jsonb)");
            st.execute("CREATE TABLE demo.orders (id bigint PRIMARY KEY, customer_id int NOT NULL, status text,"
                       + " total numeric(12,2), ordered_at timestamptz NOT NULL, ship_by date, gift boolean)");
            st.execute("CREATE TABLE demo.order_lines (order_id bigint, line int, sku text, qty int,"
                       + " price numeric(10,2), PRIMARY KEY (order_id, line))");
        }
    }

    /** Inserts {@code customers} customers, two orders each and two lines per order. */
    static void load(Connection c, int customers) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO demo.customers SELECT g, 'Customer ' || g, 'c' || g || '@example.com',"
                       + " (ARRAY['DE','FR','US','BR','JP','NZ'])[1 + g % 6],"
                       + " timestamptz '2025-01-01 00:00:00+00' + g * interval '17 minutes 3.25 seconds',"
                       + " jsonb_build_object('newsletter', g % 3 = 0, 'tags', jsonb_build_array('t' || g % 5))"
                       + " FROM generate_series(1, " + customers + ") g");
            st.execute("INSERT INTO demo.orders SELECT g, 1 + g % " + customers + ", 'new', (g * 7.31) % 500,"
                       + " timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute 0.5 seconds',"
                       + " date '2026-02-01' + g % 40, g % 10 = 0 FROM generate_series(1, " + 2 * customers + ") g");
            st.execute("INSERT INTO demo.order_lines SELECT o, l, 'SKU-' || (o * 3 + l) % 97, 1 + (o + l) % 4,"
                       + " ((o + l) * 3.17) % 100 FROM generate_series(1, " + 2 * customers + ") o,"
                       + " generate_series(1, 2) l");
        }
    }

    /**
     * Changes the demo tables until stopped: new orders with lines, status and total updates, customer profile
     * updates, key-changing updates (a customer's id, an order line's number), deletes, and once, halfway, a new
     * column on customers.
     */
    static final class Writer implements Runnable {
        private final EmbeddedServer server;
        private final int transactionsPerSecond;
        private final long alterAfterMillis;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong transactions = new AtomicLong();
        private volatile Exception failure;
        private long nextOrder;
        private int nextCustomer;
        private boolean altered;

        Writer(EmbeddedServer server, int customers, int transactionsPerSecond, long alterAfterMillis) {
            this.server = server;
            this.transactionsPerSecond = transactionsPerSecond;
            this.alterAfterMillis = alterAfterMillis;
            this.nextOrder = 2L * customers + 1;
            this.nextCustomer = customers + 1;
        }

        void stop() {
            stop.set(true);
        }

        long transactions() {
            return transactions.get();
        }

        Exception failure() {
            return failure;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            try (Connection c = server.connect()) {
                c.setAutoCommit(false);
                while (!stop.get()) {
                    if (!altered && System.nanoTime() - start > alterAfterMillis * 1_000_000) {
                        try (Statement st = c.createStatement()) {
                            // Nullable and without a default: existing rows stay NULL on both sides (see docs).
                            st.execute("ALTER TABLE demo.customers ADD COLUMN loyalty_tier text");
                        }
                        c.commit();
                        // The next change of the table carries its new shape to the consumer.
                        execute(c, "UPDATE demo.customers SET loyalty_tier = 'silver'"
                                   + " WHERE id = (SELECT min(id) FROM demo.customers)");
                        c.commit();
                        altered = true;
                    }
                    change(c, ThreadLocalRandom.current());
                    c.commit();
                    long done = transactions.incrementAndGet();
                    long due = start + done * 1_000_000_000L / transactionsPerSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        private void change(Connection c, ThreadLocalRandom r) throws SQLException {
            int pick = r.nextInt(100);
            long order = 1 + r.nextLong(nextOrder - 1);
            int customer = 1 + r.nextInt(nextCustomer - 1);
            if (pick < 30) {
                long id = nextOrder++;
                execute(c, "INSERT INTO demo.orders VALUES (?, ?, 'new', ?, now(), current_date + 7, ?)", id,
                        customer, r.nextInt(1, 100_000) / 100.0, r.nextBoolean());
                for (int line = 1; line <= 1 + r.nextInt(3); line++) {
                    execute(c, "INSERT INTO demo.order_lines VALUES (?, ?, ?, ?, ?)", id, line,
                            "SKU-" + r.nextInt(97), 1 + r.nextInt(5), r.nextInt(100, 10_000) / 100.0);
                }
            } else if (pick < 55) {
                execute(c, "UPDATE demo.orders SET status = ?, total = total + 1.25 WHERE id = ?",
                        STATUSES[r.nextInt(STATUSES.length)], order);
            } else if (pick < 65) {
                execute(c, "UPDATE demo.customers SET profile = profile || jsonb_build_object('visits', ?::int),"
                           + " country = ?" + (altered ? ", loyalty_tier = 'gold'" : "") + " WHERE id = ?",
                        r.nextInt(1000), COUNTRIES[r.nextInt(COUNTRIES.length)], customer);
            } else if (pick < 72) {
                // A key-changing update: the old key must go from the target.
                execute(c, "UPDATE demo.customers SET id = ? WHERE id = ?", nextCustomer++, customer);
            } else if (pick < 80) {
                execute(c, "UPDATE demo.order_lines SET line = line + 10 WHERE order_id = ? AND line = 1", order);
            } else if (pick < 90) {
                execute(c, "DELETE FROM demo.order_lines WHERE order_id = ?", order);
                execute(c, "DELETE FROM demo.orders WHERE id = ?", order);
            } else {
                execute(c, "INSERT INTO demo.customers (id, name, email, country, signed_up, profile)"
                           + " VALUES (?, ?, ?, ?, now(), '{\"newsletter\": true, \"note\": \"héllo ☃\"}')",
                        nextCustomer, "New customer " + nextCustomer, "n" + nextCustomer + "@example.com",
                        COUNTRIES[r.nextInt(COUNTRIES.length)]);
                nextCustomer++;
            }
        }

        private static void execute(Connection c, String sql, Object... values) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < values.length; i++) {
                    ps.setObject(i + 1, values[i]);
                }
                ps.executeUpdate();
            }
        }
    }
}
