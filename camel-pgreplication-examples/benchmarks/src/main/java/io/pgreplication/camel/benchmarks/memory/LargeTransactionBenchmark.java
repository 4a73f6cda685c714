package io.pgreplication.camel.benchmarks.memory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.pgreplication.camel.PgReplicationConsumer;
import io.pgreplication.camel.examples.EmbeddedServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.postgresql.replication.LogSequenceNumber;

/**
 * Bounded memory (docs/benchmarks.md): ONE transaction of 1,000,000 rows (about 150 bytes each) through a route, in a JVM
 * started with {@code -Xmx256m}. Prints the time from the commit to the last exchange, the peak heap used (sum of the
 * heap pools' peaks), GC counts and time, and whether the slot was confirmed past the transaction. Fails if not every
 * row arrived.
 *
 * <p>Run: {@code mvn -B -q -Pmemory-benchmark package -DskipTests} (knobs: -Dbench.rows, -Dbench.jvm).
 */
public final class LargeTransactionBenchmark {

    private LargeTransactionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.getLong("bench.rows", 1_000_000);
        try (EmbeddedServer server = EmbeddedServer.start(EmbeddedServer.BENCHMARK_SETTINGS)) {
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS bigtx");
                st.execute("CREATE TABLE bigtx (id bigint PRIMARY KEY, amount numeric(12,2), note text,"
                           + " created timestamptz)");
                st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                           + " WHERE slot_name = 'bigtx_slot'");
                st.execute("DROP PUBLICATION IF EXISTS bigtx_slot");
            }
            AtomicLong received = new AtomicLong();
            AtomicLong lastExchangeAt = new AtomicLong();
            CamelContext camel = new DefaultCamelContext();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("pgreplication:bigtx_slot?tables=bigtx&" + server.endpointOptions()).routeId("bigtx")
                            .process(e -> {
                                if (received.addAndGet(e.getIn().getBody(List.class).size()) >= rows) {
                                    lastExchangeAt.set(System.nanoTime());
                                }
                            });
                }
            });
            camel.start();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            long began = System.nanoTime();
            String commitEnd;
            long committedAt;
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO bigtx SELECT g, g / 100.0, repeat('n', 100), now() FROM generate_series(1, "
                           + rows + ") g");
                committedAt = System.nanoTime(); // autocommit: the statement returns once the commit is done
                try (var rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                    rs.next();
                    commitEnd = rs.getString(1);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            while (received.get() < rows && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            PgReplicationConsumer consumer = (PgReplicationConsumer) camel.getRoute("bigtx").getConsumer();
            long target = LogSequenceNumber.valueOf(commitEnd).asLong();
            while (Long.compareUnsigned(LogSequenceNumber.valueOf(consumer.getConfirmedLsn()).asLong(), target) < 0
                   && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            String confirmed = consumer.getConfirmedLsn();
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            long gcCount = 0;
            long gcMillis = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcCount += Math.max(0, gc.getCollectionCount());
                gcMillis += Math.max(0, gc.getCollectionTime());
            }
            camel.close();
            System.out.printf("memory: one transaction of %,d rows, %,d received in %.1f s (insert included),"
                              + " slot confirmed to %s (commit at or before %s)%n", rows, received.get(), seconds,
                    confirmed, commitEnd);
            System.out.printf("memory: commit to last exchange %.2f s (the server decodes a transaction only once it"
                              + " has committed)%n", (lastExchangeAt.get() - committedAt) / 1e9);
            System.out.printf("memory: max heap %d MB, peak heap used %.1f MB (sum of pool peaks), %d GCs, %d ms in"
                              + " GC%n", Runtime.getRuntime().maxMemory() >> 20, peak / 1048576.0, gcCount, gcMillis);
            if (received.get() != rows) {
                throw new IllegalStateException("received " + received.get() + " of " + rows + " rows");
            }
        }
    }
}
