package io.pgreplication.camel.it;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.pgreplication.camel.PgReplicationConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.Driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The password never shows in logs (every level of Camel and the component), exception
 * messages, endpoint URIs, JMX attributes or health details — whichever way it is given.
 */
class SecretsIT extends ReplicationITSupport {

    private static final String PASSWORD = "Pw$3cr3t+t0k3n/xyz";
    private static final String ROLE = "secrets_role";

    private final List<String> seen = new ArrayList<>();
    private LogCapture log;

    @BeforeEach
    void captureLogs() {
        db.execute("DROP ROLE IF EXISTS " + ROLE, "CREATE ROLE " + ROLE + " LOGIN REPLICATION SUPERUSER PASSWORD '"
                                                  + PASSWORD.replace("'", "''") + "'");
        log = LogCapture.start("secrets", Level.DEBUG);
    }

    @AfterEach
    void stopCapturing() {
        log.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"option", "libpq", "jdbc"})
    void thePasswordNeverShows(String form) throws Exception {
        Properties p = Driver.parseURL(db.jdbcUrl(), new Properties());
        String host = p.getProperty("PGHOST");
        String port = p.getProperty("PGPORT");
        String database = p.getProperty("PGDBNAME");
        String encoded = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
        String connection = switch (form) {
            case "option" -> "url=jdbc:postgresql://" + host + ":" + port + "/" + database + "&user=" + ROLE
                             + "&password=RAW(" + PASSWORD + ")";
            case "libpq" -> "url=RAW(postgresql://" + ROLE + ":" + encoded + "@" + host + ":" + port + "/" + database
                            + ")";
            default -> "url=RAW(jdbc:postgresql://" + host + ":" + port + "/" + database + "?user=" + ROLE
                       + "&password=" + encoded + ")";
        };
        String t = TestDatabase.uniqueName("secret");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        String uri = "pgreplication:" + slot + "?publication=" + publication + "&tables=" + t + "&batchTimeout=20&"
                     + connection;

        // A bad option beside the password: the endpoint error quotes the URI.
        assertThatThrownBy(() -> start(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri + "&batchSize=0").routeId("bad").log("never");
            }
        })).satisfies(e -> seen.add(stackTrace(e)));

        Received received = new Received();
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId("good").process(received).process(e -> {
                    if (received.eventCount() == 1) {
                        throw new IllegalStateException("first batch fails on purpose");
                    }
                });
            }
        });
        awaitStreaming();
        db.execute("INSERT INTO " + t + " VALUES (1)");
        await().until(() -> received.eventCount() >= 2);
        Route route = context.getRoute("good");
        PgReplicationConsumer consumer = (PgReplicationConsumer) route.getConsumer();
        await().until(consumer::isStreaming);
        HealthCheck.Result health = consumer.getHealthCheck().call();
        seen.add(health.getMessage().orElse("") + health.getDetails() + health.getError().map(this::stackTrace)
                .orElse(""));
        for (Endpoint endpoint : context.getEndpoints()) {
            seen.add(endpoint.getEndpointUri() + " " + endpoint.getEndpointBaseUri() + " " + endpoint);
        }
        seen.add(route.toString() + " " + route.getEndpoint() + " " + route.getConsumer());
        seen.add(jmxAttributes(context));
        context.stop();

        String everything = String.join("\n", seen) + "\n" + log.text();
        assertThat(log.text()).as("the log was captured").contains(slot);
        assertThat(jmxAttributes(context)).isEmpty();
        assertThat(everything).as("what a user or operator can see")
                .doesNotContain(PASSWORD).doesNotContain(encoded)
                .doesNotContain(URLEncoder.encode(encoded, StandardCharsets.UTF_8));
    }

    private String jmxAttributes(CamelContext context) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        StringBuilder out = new StringBuilder();
        for (ObjectName name : server.queryNames(new ObjectName("org.apache.camel:context=" + context.getName()
                                                                + ",*"), null)) {
            out.append(name).append('\n');
            for (MBeanAttributeInfo a : server.getMBeanInfo(name).getAttributes()) {
                try {
                    out.append(a.getName()).append('=').append(server.getAttribute(name, a.getName())).append('\n');
                } catch (Exception e) {
                    out.append(a.getName()).append(" unreadable: ").append(e.getMessage()).append('\n');
                }
            }
        }
        return out.toString();
    }

    private String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
