package io.pgreplication.camel.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import io.pgreplication.camel.PgReplicationConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The camel-main and YAML form of docs/high-availability.md, as written there: a configuration class adds the
 * file-lock cluster service and the clustered route policy factory, the factory puts the plain YAML route under
 * leadership, and the route streams once this node leads. Two nodes and a failover are tested by FailoverFaultIT in
 * separate JVMs.
 *
 * <p>The first version of that page declared both with {@code camel.beans.*} properties. This test showed that
 * camel-main 4.18 leaves such beans in the registry without applying them: the route ran without the policy, on every
 * node.
 */
class HighAvailabilityYamlIT extends WithEmbeddedServer {

    /** Counts the events the route delivers; named in the properties as {@code #class:}. */
    public static final class Counter {
        static final AtomicLong EVENTS = new AtomicLong();

        public void count(List<?> batch) {
            EVENTS.addAndGet(batch.size());
        }
    }

    @Test
    void documentedPropertiesPutTheYamlRouteUnderLeadershipAndItStreams() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "ha-yaml").toAbsolutePath();
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.ha_orders (id bigint PRIMARY KEY, status text)");
        }
        Path route = dir.resolve("orders-cdc.camel.yaml");
        Files.writeString(route, """
                - route:
                    id: orders-cdc
                    from:
                      uri: pgreplication:ha_slot
                      parameters:
                        publication: ha_pub
                        tables: public.ha_orders
                        url: "{{pg.url}}"
                        user: "{{pg.user}}"
                        password: "{{pg.password}}"
                      steps:
                        - to: bean:counter
                """);
        Properties p = DemoPipeline.yamlProperties(server, new Demo.Settings(0, 0, 0, dir.resolve("unused.duckdb"),
                false, true));
        p.setProperty("camel.main.routes-include-pattern", "file:" + route);
        // As in docs/high-availability.md, "Properties and YAML (camel-main)".
        p.setProperty("camel.main.configuration-classes", ClusterConfiguration.class.getName());
        p.setProperty("cluster.id", "node-1");
        p.setProperty("cluster.root", dir.resolve("cluster").toString());
        p.setProperty("cluster.lockIntervalSeconds", "1");
        p.setProperty("cluster.namespace", "orders-cdc");
        p.setProperty("camel.beans.counter", "#class:" + Counter.class.getName());

        Main main = new Main();
        main.setOverrideProperties(p);
        main.start();
        try {
            CamelContext camel = main.getCamelContext();
            Route orders = camel.getRoute("orders-cdc");
            assertThat(orders.getRoutePolicyList()).as("the factory applied the clustered policy")
                    .hasAtLeastOneElementOfType(ClusteredRoutePolicy.class);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> camel.getRouteController().getRouteStatus("orders-cdc").isStarted());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ((PgReplicationConsumer) camel.getRoute("orders-cdc").getConsumer()).isStreaming());

            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO public.ha_orders SELECT g, 'new' FROM generate_series(1, 25) g");
                st.execute("UPDATE public.ha_orders SET status = 'paid' WHERE id <= 5");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> Counter.EVENTS.get() >= 30);
            assertThat(Counter.EVENTS.get()).isEqualTo(30);
        } finally {
            main.stop();
        }
    }
}
