package io.pgreplication.camel.it;

import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A consumer in a JVM of its own (started by {@link LargeSnapshotIT} with a small heap, and killed by it): takes an
 * initialOnly snapshot of one table and prints {@code ROWS n} as it goes and {@code DONE rows distinct duplicates
 * maxHeapMb} at the end. Arguments: endpoint URI, expected row count.
 */
public final class SnapshotChild {

    private SnapshotChild() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        int expected = Integer.parseInt(args[1]);
        BitSet seen = new BitSet(expected + 1);
        AtomicLong rows = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            public void configure() {
                from(uri).routeId("snapshot").process(e -> {
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
                    long before = rows.getAndAdd(events.size());
                    if (before / 100_000 != (before + events.size()) / 100_000) {
                        System.out.println("ROWS " + (before + events.size()));
                    }
                });
            }
        });
        context.start();
        while (context.getRouteController().getRouteStatus("snapshot") != ServiceStatus.Stopped) {
            Thread.sleep(50);
        }
        System.out.println("DONE " + rows.get() + " " + seen.cardinality() + " " + duplicates.get() + " "
                           + Runtime.getRuntime().maxMemory() / (1024 * 1024));
        context.stop();
        System.exit(0);
    }
}
