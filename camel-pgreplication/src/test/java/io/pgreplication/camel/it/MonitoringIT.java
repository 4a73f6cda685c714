package io.pgreplication.camel.it;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.pgreplication.camel.PgReplicationConsumer;
import io.pgreplication.camel.PgReplicationDevConsole;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.console.DevConsole;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.util.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The health check, JMX attributes and the dev console, against a real server. */
class MonitoringIT extends ReplicationITSupport {

    private static final long THRESHOLD = 4L * 1024 * 1024;

    @Test
    void healthGoesDownWhenRetainedWalPassesTheThresholdAndUpWhenItDrains() throws Exception {
        String t = TestDatabase.uniqueName("mon");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, pad text)");
        CountDownLatch release = new CountDownLatch(1);
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("tables=" + t + "&retainedWalThreshold=" + THRESHOLD + "&batchSize=100"))
                        .routeId("mon").process(e -> release.await(2, TimeUnit.MINUTES));
            }
        });
        awaitStreaming();
        HealthCheck health = consumer(context).getHealthCheck();
        assertThat(health).as("consumer health check").isNotNull();
        assertThat(health.getId()).isEqualTo("consumer:pgreplication-mon");
        await().until(() -> health.call().getState() == HealthCheck.State.UP);

        // The route holds the first batch, so nothing is confirmed while ~10 MB of WAL is written.
        db.execute("INSERT INTO " + t + " SELECT g, repeat('x', 1000) FROM generate_series(1, 10000) g");
        await().until(() -> health.call().getState() == HealthCheck.State.DOWN);
        HealthCheck.Result down = health.call();
        assertThat(down.getMessage()).get().asString().contains("more than retainedWalThreshold=" + THRESHOLD);
        assertThat((Long) down.getDetails().get("retainedWalBytes")).isGreaterThan(THRESHOLD);
        assertThat(down.getDetails()).containsEntry("retainedWalThreshold", THRESHOLD);

        release.countDown();
        // restart_lsn moves on at the server's next running-xacts record: a checkpoint writes one.
        await().until(() -> {
            db.execute("CHECKPOINT");
            return health.call().getState() == HealthCheck.State.UP;
        });
        assertThat((Long) health.call().getDetails().get("retainedWalBytes")).isLessThanOrEqualTo(THRESHOLD);
    }

    @Test
    void jmxAndTheDevConsoleShowPositionsAndThroughput() throws Exception {
        String t = TestDatabase.uniqueName("jmx");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        Received received = new Received();
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("tables=" + t + "&batchTimeout=20")).routeId("jmx").process(received);
            }
        });
        awaitStreaming();
        db.execute("INSERT INTO " + t + " SELECT generate_series(1, 500)");
        await().until(() -> received.eventCount() == 500);
        PgReplicationConsumer consumer = consumer(context);
        await().until(() -> consumer.getChangesDelivered() == 500 && !"0/0".equals(consumer.getConfirmedLsn()));

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = server.queryNames(new ObjectName("org.apache.camel:context=" + context.getName()
                                                                 + ",type=consumers,*"), null);
        ObjectName name = names.stream().filter(n -> n.getKeyProperty("name").contains("PgReplicationConsumer"))
                .findFirst().orElseThrow(() -> new AssertionError("no consumer MBean in " + names));
        assertThat(server.getAttribute(name, "SlotName")).isEqualTo(slot);
        assertThat(server.getAttribute(name, "ChangesDelivered")).isEqualTo(500L);
        assertThat(server.getAttribute(name, "Streaming")).isEqualTo(true);
        assertThat(server.getAttribute(name, "BatchesInFlight")).isEqualTo(0);
        assertThat((Long) server.getAttribute(name, "RetainedWalBytes")).isGreaterThanOrEqualTo(0L);
        assertThat(lsnDiff((String) server.getAttribute(name, "LastReceivedLsn"),
                (String) server.getAttribute(name, "ConfirmedLsn"))).isGreaterThanOrEqualTo(0);
        assertThat(server.getAttribute(name, "ConfirmedLsn")).isEqualTo(consumer.getConfirmedLsn());

        PgReplicationDevConsole console = new PgReplicationDevConsole();
        console.setCamelContext(context);
        console.start();
        String text = (String) console.call(DevConsole.MediaType.TEXT, Map.of());
        assertThat(text).contains("Route jmx: slot " + slot).contains("streaming").contains("500 delivered");
        JsonObject json = (JsonObject) console.call(DevConsole.MediaType.JSON, Map.of());
        assertThat(json.toJson()).contains("\"slot\":\"" + slot + "\"")
                .contains("\"changesDelivered\":500");
        assertThat(getClass().getResource("/META-INF/services/org/apache/camel/dev-console/pgreplication"))
                .as("the console is discoverable").isNotNull();
    }

    private static PgReplicationConsumer consumer(CamelContext context) {
        return (PgReplicationConsumer) context.getRoutes().get(0).getConsumer();
    }
}
