package io.pgreplication.camel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.session.SessionStatus;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's Micrometer meters (docs/metrics.md), tagged by slot and route, registered while the consumer runs.
 * Every value is read from what the consumer keeps anyway: its status, its delivery counts and the slot monitor.
 */
final class PgReplicationMetrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgReplicationMetrics.class);
    /** The name camel-micrometer binds its registry under. */
    private static final String REGISTRY_NAME = "metricsRegistry";

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    private PgReplicationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The consumer's meters in the Camel registry's MeterRegistry, or null (nothing registered) when it holds none.
     * Call only when Micrometer is on the class path ({@link PgReplicationConsumer} checks first): loading this class
     * links to Micrometer's.
     */
    static AutoCloseable bind(PgReplicationConsumer consumer) {
        MeterRegistry registry = find(consumer.getEndpoint().getCamelContext().getRegistry());
        if (registry == null) {
            return null;
        }
        PgReplicationMetrics metrics = new PgReplicationMetrics(registry);
        metrics.register(consumer);
        LOG.debug("slot={} metrics registered in {}", consumer.getSlotName(), registry.getClass().getSimpleName());
        return metrics;
    }

    private static MeterRegistry find(Registry camelRegistry) {
        MeterRegistry named = camelRegistry.lookupByNameAndType(REGISTRY_NAME, MeterRegistry.class);
        if (named != null) {
            return named;
        }
        Set<MeterRegistry> all = camelRegistry.findByType(MeterRegistry.class);
        if (all.size() == 1) {
            return all.iterator().next();
        }
        // Spring Boot with several registries binds a composite of them all: that one.
        return all.stream().filter(CompositeMeterRegistry.class::isInstance).findFirst().orElse(null);
    }

    private void register(PgReplicationConsumer consumer) {
        Tags tags = Tags.of("slot", consumer.getSlotName(), "route", String.valueOf(consumer.getRouteId()));
        DeliveryStats stats = consumer.deliveryStats();
        meters.add(FunctionCounter.builder("pgreplication.changes", stats, DeliveryStats::changes).tags(tags)
                .description("Changes in exchanges the route completed").register(registry));
        meters.add(FunctionCounter.builder("pgreplication.batches", stats, DeliveryStats::batches).tags(tags)
                .description("Exchanges (batches) the route completed").register(registry));
        meters.add(FunctionCounter.builder("pgreplication.batches.failed", stats, DeliveryStats::failedBatches)
                .tags(tags).description("Exchanges (batches) that failed; they are streamed again")
                .register(registry));
        meters.add(FunctionCounter.builder("pgreplication.reconnects", consumer, PgReplicationConsumer::reconnects)
                .tags(tags).description("Failed attempts to connect or stream, each followed by a reconnect")
                .register(registry));
        meters.add(Gauge.builder("pgreplication.retained.wal", consumer, PgReplicationMetrics::retainedWal).tags(tags)
                .baseUnit("bytes").description("WAL the server retains for the slot (pg_current_wal_lsn - restart_lsn)")
                .register(registry));
        meters.add(Gauge.builder("pgreplication.lag", consumer, PgReplicationMetrics::lagBytes).tags(tags)
                .baseUnit("bytes").description("The server's WAL position last reported minus the confirmed position")
                .register(registry));
        meters.add(TimeGauge.builder("pgreplication.delivered.lag", consumer, TimeUnit.MILLISECONDS,
                        c -> millisSince(c.deliveryStats().newestDelivered())).tags(tags)
                .description("Now minus the commit time of the newest change the route completed")
                .register(registry));
        meters.add(TimeGauge.builder("pgreplication.confirmed.lag", consumer, TimeUnit.MILLISECONDS,
                        c -> millisSince(c.deliveryStats().newestConfirmed(c.status().confirmed()))).tags(tags)
                .description("Now minus the commit time of the newest change the slot is confirmed past")
                .register(registry));
    }

    private static double retainedWal(PgReplicationConsumer consumer) {
        long bytes = consumer.getRetainedWalBytes();
        return bytes < 0 ? Double.NaN : bytes;
    }

    private static double lagBytes(PgReplicationConsumer consumer) {
        SessionStatus status = consumer.status();
        Lsn received = status.received();
        if (!received.isValid()) {
            return Double.NaN;
        }
        return Math.max(0, received.value() - status.confirmed().value());
    }

    private static double millisSince(Instant committed) {
        return committed == null ? Double.NaN : System.currentTimeMillis() - committed.toEpochMilli();
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
