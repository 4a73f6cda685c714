package io.pgreplication.camel.it.memory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.it.ReplicationITSupport;
import io.pgreplication.camel.it.TestDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Memory bounded by bytes (docs/user-guide.md, "Memory"): {@value #ROWS} rows of 1 MB (random hex: TOAST cannot
 * compress them) in ONE transaction, read by a consumer in a child JVM with a {@value #HEAP} heap, far less than the
 * transaction, whose route takes a while per batch, so that the reader fills batches meanwhile (batchTimeout is long:
 * only size closes them). With {@code maxBatchBytes=8MB} every row arrives exactly once, streamed and in a snapshot;
 * with {@code maxBatchBytes=1GB} the batch outgrows the heap, and the OutOfMemoryError stops the consumer (health
 * DOWN, naming the options and the heap) instead of a retry loop, with the slot where the routes left it: a
 * consumer with the byte bound then receives the whole transaction. The producer's snapshot closes batches by bytes
 * as well.
 */
class LargeRowsIT extends ReplicationITSupport {

    private static final int ROWS = 100;
    private static final int ROW_BYTES = 1 << 20;
    private static final String HEAP = "-Xmx64m";
    private static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void aTransactionOfLargeRowsStreamsThroughASmallHeapEveryRowOnceAndSoDoesItsSnapshot() throws Exception {
        String table = TestDatabase.uniqueName("docs");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, doc text)");
        String options = "tables=" + table + "&maxBatchBytes=8MB&batchTimeout=60s";
        try (ChildJvm child = new ChildJvm(HEAP, uri(options), ROWS, 200)) {
            child.awaitLine("STARTED", WAIT);
            insertLargeRows(table, 1, ROWS);

            assertEveryRowOnce(child.awaitLine("DONE", WAIT), child);
        }

        String snapshotSlot = slot + "_snap";
        String snapshotUri = uri(options + "&snapshotMode=initialOnly&snapshotParallelism=1")
                .replace("pgreplication:" + slot + "?", "pgreplication:" + snapshotSlot + "?");
        try (ChildJvm child = new ChildJvm(HEAP, snapshotUri, ROWS, 200)) {
            assertEveryRowOnce(child.awaitLine("DONE", WAIT), child);
        } finally {
            db.dropSlotAndPublication(snapshotSlot, publication);
        }
    }

    @Test
    void anOutOfMemoryErrorOnTheStreamThreadStopsTheConsumerWithHealthDownAndNoRetry() throws Exception {
        String table = TestDatabase.uniqueName("docs");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, doc text)");
        try (ChildJvm child = new ChildJvm(HEAP, uri("tables=" + table + "&maxBatchBytes=1GB&batchTimeout=60s"
                                                     + "&reconnectDelay=100&statusInterval=200"), ROWS + 3, 2000)) {
            child.awaitLine("STARTED", WAIT);
            db.execute("INSERT INTO " + table + " VALUES (1, 'a'), (2, 'b'), (3, 'c')");
            String small = db.queryString("SELECT pg_current_wal_lsn()::text");
            child.awaitLine("ROWS 3", WAIT);
            await().until(() -> lsnDiff(confirmed(), small) >= 0);

            insertLargeRows(table, 4, ROWS);

            String stopped = child.awaitLine("STOPPED", WAIT);
            assertThat(stopped).startsWith("STOPPED DOWN Stopped, no retry until the route is restarted: slot=" + slot)
                    .contains("java.lang.OutOfMemoryError", "while streaming", "batchSize=1000", "maxBatchBytes=1GB",
                            HEAP, "max heap ");
            await().until(() -> "f".equals(db.queryString("SELECT active FROM pg_replication_slots WHERE slot_name = '"
                                                          + slot + "'")));
            // No retry: the slot stays idle, and where the completed transactions left it.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> "f".equals(
                    db.queryString("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")));
            assertThat(lsnDiff(confirmed(), small)).as("confirmed past the completed transaction").isNotNegative();
            assertThat(child.isAlive()).isTrue();
            assertThat(child.lines()).as(child.tail()).filteredOn(l -> l.contains("cannot stream")).isEmpty();
            assertThat(child.lines()).noneMatch(l -> l.equals("ROWS " + (ROWS + 3)));
        }
        // Nothing of the transaction that failed was confirmed: a consumer with the byte bound gets all of it.
        try (ChildJvm child = new ChildJvm(HEAP, uri("tables=" + table + "&maxBatchBytes=8MB"), ROWS, 0)) {
            String done = child.awaitLine("DONE", WAIT);
            assertThat(done).as(child.tail()).startsWith("DONE " + ROWS + " " + ROWS + " 0 ");
        }
    }

    @Test
    void theProducersSnapshotClosesBatchesByBytesToo() throws Exception {
        String table = TestDatabase.uniqueName("docs");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, doc text)");
        insertRows(table, 1, 20, 100_000);
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        Set<Object> ids = ConcurrentHashMap.newKeySet();
        String endpoint = uri("tables=" + table + "&maxBatchBytes=256kB");
        CamelContext context = start(new RouteBuilder() {
            public void configure() {
                from("direct:snapshot").to(endpoint + "&operation=snapshot").split(body()).streaming().process(e -> {
                    List<?> events = e.getIn().getBody(List.class);
                    batchSizes.add(events.size());
                    events.forEach(event -> ids.add(((ChangeEvent) event).getKey().get("id")));
                });
            }
        });
        ProducerTemplate template = context.createProducerTemplate();
        template.sendBody(endpoint + "&operation=createPublication", null);

        template.sendBody("direct:snapshot", null);

        assertThat(ids).hasSize(20);
        // COPY rows of about 100 kB and maxBatchBytes=256kB: two rows to a batch
        assertThat(batchSizes).hasSize(10).containsOnly(2);
    }

    /** Rows {@code from}.. of random hex text, {@value #ROW_BYTES} characters each, in one transaction. */
    private void insertLargeRows(String table, int from, int rows) {
        insertRows(table, from, rows, ROW_BYTES);
    }

    private void insertRows(String table, int from, int rows, int bytes) {
        db.execute("INSERT INTO " + table + " SELECT g, (SELECT string_agg(md5(random()::text || g || h), '')"
                   + " FROM generate_series(1, " + bytes / 32 + ") h) FROM generate_series(" + from + ", "
                   + (from + rows - 1) + ") g");
    }

    private static void assertEveryRowOnce(String done, ChildJvm child) {
        String[] figures = done.split(" ");
        assertThat(Long.parseLong(figures[1])).as("rows delivered\n" + child.tail()).isEqualTo(ROWS);
        assertThat(Long.parseLong(figures[2])).as("distinct ids").isEqualTo(ROWS);
        assertThat(Long.parseLong(figures[3])).as("duplicates").isZero();
        assertThat(child.lines()).as(child.tail()).noneMatch(l -> l.contains("OutOfMemoryError"));
        // 1 MB rows, maxBatchBytes=8MB: a batch closes before the eighth row would take it past 8 MB
        long previous = 0;
        for (String line : child.lines()) {
            if (line.startsWith("ROWS ")) {
                long rows = Long.parseLong(line.substring(5));
                assertThat(rows - previous).as("rows in one batch").isBetween(1L, 7L);
                previous = rows;
            }
        }
    }
}
