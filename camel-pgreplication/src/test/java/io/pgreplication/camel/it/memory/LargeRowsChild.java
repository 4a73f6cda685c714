package io.pgreplication.camel.it.memory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.pgreplication.camel.PgReplicationConsumer;
import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A consumer in a JVM of its own, with the small heap {@link LargeRowsIT} gives it: one route from the endpoint URI
 * that records the key {@code id} of every row it receives. Prints {@code STARTED} once the route runs,
 * {@code ROWS n} after each batch, {@code DONE rows distinct duplicates peakHeapMb maxHeapMb} once the expected rows
 * arrived (then exits), and {@code STOPPED <health message>} when the consumer's health check reports DOWN with state
 * FAILED (then keeps running, so the test can see that it does not retry). Arguments: endpoint URI, expected rows,
 * and how many milliseconds the route works on each batch (so the reader fills batches while it is busy).
 */
public final class LargeRowsChild {

    private LargeRowsChild() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        int expected = Integer.parseInt(args[1]);
        long workMillis = Long.parseLong(args[2]);
        BitSet seen = new BitSet(expected + 1);
        AtomicLong rows = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            public void configure() {
                from(uri).routeId("large").process(e -> {
                    @SuppressWarnings("unchecked")
                    List<ChangeEvent> events = e.getIn().getBody(List.class);
                    synchronized (seen) {
                        for (ChangeEvent event : events) {
                            int id = (Integer) event.getKey().get("id");
                            if (seen.get(id)) {
                                duplicates.incrementAndGet();
                            }
                            seen.set(id);
                        }
                    }
                    System.out.println("ROWS " + rows.addAndGet(events.size()));
                    Thread.sleep(workMillis);
                });
            }
        });
        context.start();
        System.out.println("STARTED");
        PgReplicationConsumer consumer = (PgReplicationConsumer) context.getRoute("large").getConsumer();
        HealthCheck health = consumer.getHealthCheck();
        boolean reported = false;
        while (true) {
            try {
                if (rows.get() >= expected) {
                    synchronized (seen) {
                        System.out.println("DONE " + rows.get() + " " + seen.cardinality() + " " + duplicates.get()
                                           + " " + peakHeapMb() + " " + (Runtime.getRuntime().maxMemory() >> 20));
                    }
                    context.stop();
                    System.exit(0);
                }
                if (!reported && "FAILED".equals(consumer.getState())) {
                    HealthCheck.Result result = health.call();
                    System.out.println("STOPPED " + result.getState() + " " + result.getMessage().orElse(""));
                    reported = true;
                }
            } catch (Throwable e) {
                // e.g. an OutOfMemoryError while the heap is still full: look again
                System.out.println("CHILD " + e);
            }
            Thread.sleep(100);
        }
    }

    private static long peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
