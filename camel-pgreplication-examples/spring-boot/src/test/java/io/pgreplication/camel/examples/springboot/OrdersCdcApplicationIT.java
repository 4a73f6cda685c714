package io.pgreplication.camel.examples.springboot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.PgReplicationConfiguration;
import io.pgreplication.camel.PgReplicationEndpoint;
import io.pgreplication.camel.it.TestDatabase;
import io.pgreplication.camel.it.faults.TcpProxy;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spring Boot example as it runs: started while PostgreSQL cannot be reached (through a proxy that is not there
 * yet), Actuator's health endpoint reports the consumer DOWN with the reason; once the proxy forwards to the test
 * server the consumer connects, the health goes UP, a committed insert arrives in the route, and the consumer's meters
 * are in Actuator's metrics. The {@code camel.component.pgreplication.*} properties of application.properties reach
 * the endpoint.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
                properties = {"camel.component.pgreplication.reconnect-delay=200",
                              "camel.component.pgreplication.max-reconnect-delay=1000"})
class OrdersCdcApplicationIT {

    private static final TestDatabase DB = TestDatabase.get();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PROXY_PORT = freePort();
    private static TcpProxy proxy;

    @LocalServerPort
    int port;
    @Autowired
    CamelContext camel;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        Properties url = Driver.parseURL(DB.jdbcUrl(), new Properties());
        // Through a proxy that is not there yet: the application starts while PostgreSQL cannot be reached.
        registry.add("camel.component.pgreplication.url",
                () -> "jdbc:postgresql://127.0.0.1:" + PROXY_PORT + "/" + url.getProperty("PGDBNAME"));
        registry.add("camel.component.pgreplication.user", DB::user);
        registry.add("camel.component.pgreplication.password",
                () -> DB.password() == null ? "unused-by-trust-auth" : DB.password());
    }

    @BeforeAll
    static void table() {
        DB.execute("DROP TABLE IF EXISTS orders", "CREATE TABLE orders (id int PRIMARY KEY, status text)");
    }

    @AfterAll
    static void cleanUp(@Autowired CamelContext camel) throws Exception {
        camel.getRouteController().stopRoute("orders-cdc");
        DB.dropSlotAndPublication("orders_slot", "orders_pub");
        DB.execute("DROP TABLE IF EXISTS orders");
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void healthIsDownWhileItCannotConnectThenUpAndChangesArrive() throws Exception {
        PgReplicationConfiguration options = ((PgReplicationEndpoint) camel.getRoute("orders-cdc").getEndpoint())
                .getConfiguration();
        assertThat(options.getBatchSize()).as("camel.component.pgreplication.batch-size").isEqualTo(500);
        assertThat(options.getUser()).isEqualTo(DB.user());

        HttpResponse<String> down = health();
        assertThat(down.statusCode()).isEqualTo(503);
        JsonNode camelHealth = JSON.readTree(down.body()).get("components").get("camelHealth");
        assertThat(camelHealth.get("status").asText()).isEqualTo("DOWN");
        assertThat(camelHealth.get("details").get("consumer:orders-cdc").asText()).isEqualTo("DOWN");
        JsonNode data = camelHealth.get("details").get("consumer:orders-cdc.data");
        assertThat(data.get("slot").asText()).isEqualTo("orders_slot");
        assertThat(data.get("streaming").asText()).isEqualTo("false");
        assertThat(camelHealth.get("details").get("error.message").asText()).contains("refused");

        Properties url = Driver.parseURL(DB.jdbcUrl(), new Properties());
        proxy = new TcpProxy(PROXY_PORT, url.getProperty("PGHOST"), Integer.parseInt(url.getProperty("PGPORT")));
        Awaitility.await("Actuator health UP").atMost(Duration.ofSeconds(60)).until(() -> health().statusCode() == 200);
        JsonNode up = JSON.readTree(health().body()).get("components").get("camelHealth").get("details");
        assertThat(up.get("consumer:orders-cdc").asText()).isEqualTo("UP");
        assertThat(up.get("consumer:orders-cdc.data").get("streaming").asText()).isEqualTo("true");

        NotifyBuilder arrived = new NotifyBuilder(camel).fromRoute("orders-cdc")
                .whenAnyDoneMatches(e -> e.getMessage().getBody(String.class).contains("\"after\":{\"id\":42,")).create();
        DB.execute("INSERT INTO orders VALUES (42, 'new')");
        assertThat(arrived.matches(30, TimeUnit.SECONDS)).as("the insert arrived in the route").isTrue();

        // Boot's MeterRegistry is in Camel's registry (the Spring context): the consumer's meters are in Actuator.
        HttpResponse<String> changes = get("/actuator/metrics/pgreplication.changes?tag=route:orders-cdc");
        assertThat(changes.statusCode()).isEqualTo(200);
        JsonNode metric = JSON.readTree(changes.body());
        assertThat(metric.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(1.0);
        assertThat(metric.get("availableTags").toString()).contains("orders_slot");
    }

    private HttpResponse<String> health() throws Exception {
        return get("/actuator/health");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
