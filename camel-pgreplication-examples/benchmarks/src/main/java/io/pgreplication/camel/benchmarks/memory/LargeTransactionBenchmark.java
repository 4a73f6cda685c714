package io.pgreplication.camel.benchmarks.memory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.pgreplication.camel.PgReplicationConsumer;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.examples.EmbeddedServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.support.LoggingExceptionHandler;
import org.postgresql.replication.LogSequenceNumber;

/**
 * Bounded memory (docs/benchmarks.md): ONE transaction of {@code bench.rows} rows whose {@code note} column holds
 * {@code bench.rowBytes} characters of random hex (incompressible: TOAST stores it as it is, which the benchmark
 * checks with {@code pg_column_size}), through a route, in a JVM started with {@code -Xmx256m}; or, with
 * {@code -Dbench.mode=snapshot}, a snapshot of that table ({@code snapshotMode=initialOnly}). Every row must arrive
 * exactly once. Prints the time from the transaction's commit to its last exchange, the peak heap used (from the
 * collector's reports), GC counts and time, whether an
 * OutOfMemoryError struck anywhere, and one line {@code RESULT memory rows=<n> row_bytes=<b> received=<r>
 * peak_heap_mb=<m> oom=<true|false>} ({@code RESULT memory-snapshot ...} for a snapshot). Fails unless every row
 * arrived once.
 *
 * <p>Run: {@code mvn -B -q -Pmemory-benchmark package -DskipTests} (knobs: -Dbench.rows=1000000,
 * -Dbench.rowBytes=100, -Dbench.mode=stream|snapshot, -Dbench.options=maxBatchBytes=16MB (more endpoint options),
 * -Dbench.jvm=-Xmx256m). Large rows: {@code -Dbench.rows=1000 -Dbench.rowBytes=2000000}.
 */
public final class LargeTransactionBenchmark {

    private LargeTransactionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.getLong("bench.rows", 1_000_000);
        int rowBytes = Integer.getInteger("bench.rowBytes", 100);
        boolean snapshot = "snapshot".equals(System.getProperty("bench.mode", "stream"));
        String options = System.getProperty("bench.options", "").trim();
        PeakHeap heap = new PeakHeap();
        AtomicBoolean oom = new AtomicBoolean();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            oom.compareAndSet(false, causedByOom(e));
            e.printStackTrace();
        });
        try (EmbeddedServer server = EmbeddedServer.start(EmbeddedServer.BENCHMARK_SETTINGS)) {
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                           + " WHERE slot_name = 'bigtx_slot'");
                st.execute("DROP PUBLICATION IF EXISTS bigtx_slot");
                st.execute("DROP TABLE IF EXISTS bigtx");
                st.execute("CREATE TABLE bigtx (id bigint PRIMARY KEY, amount numeric(12,2), note text,"
                           + " created timestamptz)");
            }
            long began = System.nanoTime();
            String commitEnd = null;
            AtomicLong committedAt = new AtomicLong();
            AtomicLong lastExchangeAt = new AtomicLong();
            if (snapshot) {
                commitEnd = insert(server, rows, rowBytes, committedAt);
            }
            BitSet seen = new BitSet((int) Math.min(rows + 1, Integer.MAX_VALUE));
            AtomicLong received = new AtomicLong();
            AtomicLong duplicates = new AtomicLong();
            CamelContext camel = new DefaultCamelContext();
            camel.getRegistry().bind("oomSpotter", new OomSpotter(camel, oom));
            String uri = "pgreplication:bigtx_slot?tables=bigtx&exceptionHandler=#oomSpotter&"
                         + server.endpointOptions() + (snapshot ? "&snapshotMode=initialOnly" : "")
                         + (options.isEmpty() ? "" : "&" + options);
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(uri).routeId("bigtx").process(e -> {
                        if (count(e, seen, received, duplicates) >= rows) {
                            lastExchangeAt.compareAndSet(0, System.nanoTime());
                        }
                    });
                }
            });
            camel.start();
            if (!snapshot) {
                commitEnd = insert(server, rows, rowBytes, committedAt);
            }
            PgReplicationConsumer consumer = (PgReplicationConsumer) camel.getRoute("bigtx").getConsumer();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (received.get() < rows && !ended(consumer) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            if (snapshot) {
                while (!ended(consumer) && System.nanoTime() < deadline) {
                    Thread.sleep(20); // until the slot is made and the route stops
                }
            } else {
                long target = LogSequenceNumber.valueOf(commitEnd).asLong();
                while (Long.compareUnsigned(LogSequenceNumber.valueOf(consumer.getConfirmedLsn()).asLong(), target) < 0
                       && !ended(consumer) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            String state = consumer.getState();
            String lastError = consumer.getLastError();
            String confirmed = consumer.getConfirmedLsn();
            camel.close();
            if (lastError != null && lastError.contains("OutOfMemoryError")) {
                oom.set(true);
            }
            System.out.printf("memory: %s of %,d rows of %,d bytes, %,d received (%,d distinct, %,d duplicates)"
                              + " in %.1f s (insert included); consumer %s%s%n", snapshot ? "a snapshot"
                    : "one transaction", rows, rowBytes, received.get(), seen.cardinality(), duplicates.get(),
                    seconds, state, snapshot ? "" : ", slot confirmed to " + confirmed + " (commit at or before "
                                                     + commitEnd + ")");
            if (lastError != null) {
                System.out.println("memory: last error: " + lastError);
            }
            if (!snapshot && lastExchangeAt.get() != 0) {
                System.out.printf("memory: commit to last exchange %.2f s (the server decodes a transaction only once"
                                  + " it has committed)%n", (lastExchangeAt.get() - committedAt.get()) / 1e9);
            }
            System.out.printf("memory: max heap %d MB, peak heap used %d MB, most held after a collection %d MB,"
                              + " %d GCs, %d ms in GC%n", Runtime.getRuntime().maxMemory() >> 20, heap.peakMb(),
                    heap.peakLiveMb(), heap.collections(), heap.gcMillis());
            System.out.printf("RESULT %s rows=%d row_bytes=%d received=%d peak_heap_mb=%d oom=%b%n",
                    snapshot ? "memory-snapshot" : "memory", rows, rowBytes, received.get(), heap.peakMb(), oom.get());
            if (received.get() != rows || seen.cardinality() != rows || oom.get()) {
                throw new IllegalStateException("received " + received.get() + " of " + rows + " rows ("
                                                + seen.cardinality() + " distinct), out of memory: " + oom.get());
            }
        }
    }

    /**
     * Inserts the rows in one transaction, their notes random hex made by the server (so this JVM's heap holds none
     * of it), and checks that TOAST stored them uncompressed. Returns the WAL position after the commit; sets
     * {@code committedAt} (nanoTime) to when the commit was done.
     */
    private static String insert(EmbeddedServer server, long rows, int rowBytes, AtomicLong committedAt)
            throws SQLException {
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            long began = System.nanoTime();
            st.execute("INSERT INTO bigtx SELECT g, g / 100.0, (SELECT substr(string_agg(md5(random()::text || g"
                       + " || h), ''), 1, " + rowBytes + ") FROM generate_series(1, " + (rowBytes + 31) / 32
                       + ") h), now() FROM generate_series(1, " + rows + ") g");
            committedAt.set(System.nanoTime()); // autocommit: the statement returns once the commit is done
            double seconds = (System.nanoTime() - began) / 1e9;
            try (ResultSet rs = st.executeQuery("SELECT pg_column_size(note), octet_length(note),"
                                                + " pg_current_wal_lsn()::text FROM bigtx WHERE id = 1")) {
                rs.next();
                long stored = rs.getLong(1);
                long length = rs.getLong(2);
                System.out.printf("memory: inserted %,d rows in one transaction in %.1f s; a note of %,d characters"
                                  + " is stored in %,d bytes (%s)%n", rows, seconds, length, stored,
                        stored >= length ? "uncompressed" : "COMPRESSED: the values are smaller than they look");
                return rs.getString(3);
            }
        }
    }

    /** Counts an exchange's rows; returns the rows received so far. */
    private static long count(Exchange exchange, BitSet seen, AtomicLong received, AtomicLong duplicates) {
        List<?> events = exchange.getIn().getBody(List.class);
        synchronized (seen) {
            for (Object o : events) {
                int id = ((Number) ((ChangeEvent) o).getKey().get("id")).intValue();
                if (seen.get(id)) {
                    duplicates.incrementAndGet();
                }
                seen.set(id);
            }
        }
        return received.addAndGet(events.size());
    }

    /** The consumer will deliver nothing more: an Error stopped it, or the snapshot route finished. */
    private static boolean ended(PgReplicationConsumer consumer) {
        String state = consumer.getState();
        return "FAILED".equals(state) || "FINISHED".equals(state) || "STOPPED".equals(state);
    }

    private static boolean causedByOom(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /** The consumer's exception handler: notes an OutOfMemoryError anywhere in a report, and logs it as usual. */
    private static final class OomSpotter implements ExceptionHandler {
        private final LoggingExceptionHandler log;
        private final AtomicBoolean oom;

        OomSpotter(CamelContext camel, AtomicBoolean oom) {
            this.log = new LoggingExceptionHandler(camel, LargeTransactionBenchmark.class);
            this.oom = oom;
        }

        @Override
        public void handleException(Throwable exception) {
            handleException(null, null, exception);
        }

        @Override
        public void handleException(String message, Throwable exception) {
            handleException(message, null, exception);
        }

        @Override
        public void handleException(String message, Exchange exchange, Throwable exception) {
            if (causedByOom(exception) || message != null && message.contains("OutOfMemoryError")) {
                oom.set(true);
            }
            log.handleException(message, exchange, exception);
        }
    }
}
