package io.pgreplication.camel.it;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a Micrometer {@link MeterRegistry} in the Camel registry the consumer publishes its meters, tagged by slot and
 * route (docs/metrics.md): they count what the route completed and failed and the reconnects, and show retained WAL
 * and lag.
 * They go away with the route.
 */
class MetricsIT extends ReplicationITSupport {

    @Test
    void theConsumersMetersAreInTheRegistryTaggedBySlotAndRoute() throws Exception {
        String table = TestDatabase.uniqueName("metrics");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicBoolean failOnce = new AtomicBoolean(true);
        CamelContext context = new DefaultCamelContext();
        context.getRegistry().bind("meterRegistry", registry);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("tables=" + table + "&statusInterval=200&reconnectDelay=100"))
                        .routeId("metrics-route").process(e -> {
                            if (failOnce.getAndSet(false)) {
                                throw new IllegalStateException("the first batch fails once");
                            }
                        });
            }
        });
        contexts.add(context);
        context.start();
        awaitStreaming();

        long before = System.currentTimeMillis();
        db.execute("INSERT INTO " + table + " SELECT g, 'x' FROM generate_series(1, 5) g",
                "INSERT INTO " + table + " VALUES (6, 'y')", "UPDATE " + table + " SET v = 'z' WHERE id = 1");
        await().until(() -> counter(registry, "pgreplication.changes") >= 7);

        assertThat(counter(registry, "pgreplication.batches")).isGreaterThanOrEqualTo(1);
        assertThat(counter(registry, "pgreplication.batches.failed")).as("the batch that failed once").isEqualTo(1);
        assertThat(counter(registry, "pgreplication.reconnects")).isZero();

        // A lost connection: the walsender is terminated, the consumer fails to stream, then reconnects.
        db.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot
                   + "'");
        await().until(() -> counter(registry, "pgreplication.reconnects") >= 1);
        awaitStreaming();
        long sinceInsert = System.currentTimeMillis() - before + 1000;
        TimeGauge delivered = registry.get("pgreplication.delivered.lag").tags("slot", slot, "route", "metrics-route")
                .timeGauge();
        assertThat(delivered.value(TimeUnit.MILLISECONDS)).as("now minus the newest delivered change's commit time")
                .isBetween(0.0, (double) sinceInsert);
        await().until(() -> registry.get("pgreplication.confirmed.lag").timeGauge().value(TimeUnit.MILLISECONDS)
                            >= 0.0);
        assertThat(registry.get("pgreplication.confirmed.lag").timeGauge().value(TimeUnit.MILLISECONDS))
                .isLessThanOrEqualTo(System.currentTimeMillis() - before + 1000.0);
        await().until(() -> gauge(registry, "pgreplication.lag") == 0.0);
        assertThat(gauge(registry, "pgreplication.retained.wal")).as("retained WAL, known on a primary")
                .isGreaterThanOrEqualTo(0.0);
        assertThat(registry.get("pgreplication.retained.wal").gauge().getId().getBaseUnit()).isEqualTo("bytes");

        context.getRouteController().stopRoute("metrics-route");
        assertThat(registry.find("pgreplication.changes").meters()).as("meters removed with the route").isEmpty();
    }

    private double counter(MeterRegistry registry, String name) {
        FunctionCounter c = registry.find(name).tags("slot", slot, "route", "metrics-route").functionCounter();
        return c == null ? -1 : c.count();
    }

    private double gauge(MeterRegistry registry, String name) {
        Gauge g = registry.get(name).tags("slot", slot, "route", "metrics-route").gauge();
        return g.value();
    }
}
