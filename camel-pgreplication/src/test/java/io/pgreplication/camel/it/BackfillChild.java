package io.pgreplication.camel.it;

import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A streaming consumer in a JVM of its own (started by {@link LargeBackfillIT} with a small heap): counts the snapshot
 * rows of online backfills by key and prints {@code ROWS n} as they come and {@code DONE rows distinct duplicates
 * maxHeapMb} once every expected key arrived; then streams on until the test stops it. Arguments: endpoint URI,
 * expected row count.
 */
public final class BackfillChild {

    private BackfillChild() {
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
                from(uri).routeId("backfill").process(e -> {
                    if (e.getIn().getHeader(PgReplicationConstants.BACKFILL) == null) {
                        return;
                    }
                    @SuppressWarnings("unchecked")
                    List<ChangeEvent> events = e.getIn().getBody(List.class);
                    int distinct;
                    synchronized (seen) {
                        for (ChangeEvent event : events) {
                            int id = (Integer) event.getKey().get("id");
                            if (seen.get(id)) {
                                duplicates.incrementAndGet();
                            }
                            seen.set(id);
                        }
                        distinct = seen.cardinality();
                    }
                    long before = rows.getAndAdd(events.size());
                    if (before / 100_000 != (before + events.size()) / 100_000) {
                        System.out.println("ROWS " + (before + events.size()));
                    }
                    if (distinct == expected) {
                        System.out.println("DONE " + rows.get() + " " + distinct + " " + duplicates.get() + " "
                                           + Runtime.getRuntime().maxMemory() / (1024 * 1024));
                    }
                    System.out.flush();
                });
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(context::stop));
        context.start();
        System.out.println("STARTED");
        System.out.flush();
        Thread.currentThread().join();
    }
}
