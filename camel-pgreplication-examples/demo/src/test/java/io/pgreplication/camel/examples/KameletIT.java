package io.pgreplication.camel.examples;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.PgReplicationEndpoint;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pgreplication-source Kamelet shipped in the component jar: a YAML route {@code from kamelet:pgreplication-source}
 * with the Kamelet's properties streams changes; properties left out take the Kamelet's defaults; and every property
 * of the Kamelet is an option of the component, passed on by its template.
 */
class KameletIT extends WithEmbeddedServer {

    @Test
    void aYamlRouteFromTheKameletStreamsChanges() throws Exception {
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS kamelet_orders");
            st.execute("CREATE TABLE kamelet_orders (id int PRIMARY KEY, status text)");
        }
        Properties properties = new Properties();
        properties.setProperty("pg.url", server.jdbcUrl());
        properties.setProperty("pg.user", server.user());
        // Any password: the embedded server trusts local connections.
        properties.setProperty("pg.password", server.password() == null ? "unused-by-trust-auth" : server.password());
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(properties);
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveMandatoryResource(context, "classpath:routes/kamelet-source.camel.yaml"));
            context.start();

            PgReplicationEndpoint endpoint = context.getRoutes().stream().map(Route::getEndpoint)
                    .filter(PgReplicationEndpoint.class::isInstance).map(PgReplicationEndpoint.class::cast)
                    .findFirst().orElseThrow();
            assertThat(endpoint.getConfiguration().getSlotName()).isEqualTo("kamelet_slot");
            assertThat(endpoint.getConfiguration().getBatchSize()).isEqualTo(50);
            assertThat(endpoint.getConfiguration().getSnapshotMode()).as("the Kamelet's default").hasToString("never");
            assertThat(endpoint.getConfiguration().getPublication()).as("not set: the slot name").isNull();

            NotifyBuilder arrived = new NotifyBuilder(context).fromRoute("orders-from-kamelet")
                    .whenAnyDoneMatches(e -> e.getMessage().getBody(String.class).contains("\"after\":{\"id\":7,"))
                    .create();
            awaitSlotActive();
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO kamelet_orders VALUES (7, 'new')");
            }
            assertThat(arrived.matches(30, TimeUnit.SECONDS)).as("the insert arrived through the Kamelet").isTrue();
        } finally {
            // The context is closed; its walsender may still be exiting: the slot can be dropped once it is inactive.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !slotActive());
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                           + " WHERE slot_name = 'kamelet_slot'");
                st.execute("DROP PUBLICATION IF EXISTS kamelet_slot");
                st.execute("DROP TABLE IF EXISTS kamelet_orders");
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyKameletPropertyIsAComponentOptionPassedOnByTheTemplate() throws Exception {
        Map<String, Object> kamelet;
        try (InputStream in = getClass().getResourceAsStream("/kamelets/pgreplication-source.kamelet.yaml")) {
            kamelet = (Map<String, Object>) new Load(LoadSettings.builder().build())
                    .loadFromString(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        JsonNode catalog;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/io/pgreplication/camel/pgreplication.json")) {
            catalog = new ObjectMapper().readTree(in).get("properties");
        }
        Map<String, Object> spec = (Map<String, Object>) kamelet.get("spec");
        Map<String, Object> definition = (Map<String, Object>) spec.get("definition");
        Map<String, Object> properties = (Map<String, Object>) definition.get("properties");
        Map<String, Object> from = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("from");
        Map<String, Object> parameters = (Map<String, Object>) from.get("parameters");

        assertThat(from.get("uri")).isEqualTo("pgreplication:{{slotName}}");
        Set<String> passedOn = new TreeSet<>(parameters.keySet());
        passedOn.add("slotName");
        assertThat(passedOn).as("template parameters").isEqualTo(new TreeSet<>(properties.keySet()));
        for (String name : properties.keySet()) {
            assertThat(catalog.has(name)).as("%s is a component option", name).isTrue();
        }
        assertThat((List<String>) definition.get("required")).containsExactlyInAnyOrder("slotName", "url");
        assertThat((List<String>) spec.get("dependencies")).allSatisfy(d -> assertThat(d).doesNotContain("${"));
    }

    private static void awaitSlotActive() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(KameletIT::slotActive);
    }

    private static boolean slotActive() throws Exception {
        try (Connection c = server.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = 'kamelet_slot'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }
}
