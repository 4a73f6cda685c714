package io.pgreplication.camel.examples;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgreplication.camel.PgReplicationConstants;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The quick-start demo: an embedded PostgreSQL (or the server in {@code PGREPLICATION_URL}), two tables, a route that
 * logs every batch as JSON, and a few inserts, updates and deletes. Ends when every change has arrived.
 *
 * <p>Run it with {@code mvn -B -q -Pdemo package -DskipTests} from the repository root.
 */
public final class Demo {

    private static final int EXPECTED_CHANGES = 9;

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(Map.of())) {
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS demo_orders, demo_items");
                st.execute("CREATE TABLE demo_orders (id int PRIMARY KEY, customer text, status text,"
                           + " total numeric(10,2), created timestamptz DEFAULT now())");
                st.execute("CREATE TABLE demo_items (order_id int, line int, sku text, qty int,"
                           + " PRIMARY KEY (order_id, line))");
                st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                           + " WHERE slot_name = 'demo_slot'");
                st.execute("DROP PUBLICATION IF EXISTS demo_pub");
            }
            AtomicInteger changes = new AtomicInteger();
            CamelContext camel = new DefaultCamelContext();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("pgreplication:demo_slot?publication=demo_pub&tables=demo_orders,demo_items&batchSize=100&"
                         + server.endpointOptions())
                            .process(e -> {
                                int size = e.getIn().getBody(java.util.List.class).size();
                                changes.addAndGet(size);
                                e.setProperty("changes", size);
                            })
                            .log(org.apache.camel.LoggingLevel.INFO, "demo", "batch of ${exchangeProperty.changes} from ${header." + PgReplicationConstants.TABLE
                                 + "} up to LSN ${header." + PgReplicationConstants.LSN + "}:\n${bodyAs(String)}");
                }
            });
            camel.start();
            System.out.println("Streaming demo_orders and demo_items; now writing a few changes...");
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("BEGIN; INSERT INTO demo_orders (id, customer, status, total) VALUES"
                           + " (1, 'Ada', 'new', 42.50), (2, 'Linus', 'new', 7.00);"
                           + " INSERT INTO demo_items VALUES (1, 1, 'book', 2), (1, 2, 'pen', 10), (2, 1, 'mug', 1);"
                           + " COMMIT");
                st.execute("UPDATE demo_orders SET status = 'paid' WHERE id = 1");
                st.execute("UPDATE demo_items SET qty = 3 WHERE order_id = 1 AND line = 1");
                st.execute("DELETE FROM demo_items WHERE order_id = 2");
                st.execute("DELETE FROM demo_orders WHERE id = 2");
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (changes.get() < EXPECTED_CHANGES && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            camel.close();
            System.out.printf("Received %d of %d changes.%n", changes.get(), EXPECTED_CHANGES);
            if (changes.get() != EXPECTED_CHANGES) {
                System.exit(1);
            }
        }
    }
}
