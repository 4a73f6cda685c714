package io.pgreplication.camel.it.faults;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.it.Replica;
import io.pgreplication.camel.it.RowWriter;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An online backfill interrupted by a SIGKILL of the consumer process, by a PostgreSQL restart and by a failing batch,
 * while writers change both the streamed table (the workload) and the backfilled one. Each round requests a backfill
 * from this JVM, waits for its first snapshot rows, breaks something, and checks the server's own view: the slot is
 * not confirmed past the request until the backfill ran again and completed. At the end: no change of the streamed
 * table lost, and the backfilled table's log applied in order (docs/user-guide.md) equal to the table.
 */
class BackfillFaultIT extends FaultITSupport {

    private static final int ROWS = 20_000;
    private String backfilled;
    private String log;

    @BeforeEach
    void backfilledTable() {
        backfilled = slot + "_b";
        log = slot + "_log";
        RowWriter.createTable(db, backfilled, ROWS);
        EventLogSink.createLog(db, log);
    }

    @AfterEach
    void dropBackfilledTable() {
        db.execute("DROP TABLE IF EXISTS " + backfilled, "DROP TABLE IF EXISTS " + log);
    }

    @Test
    void aBackfillInterruptedBySigkillOfTheConsumerProcessRunsAgainAndLosesNothing() throws Exception {
        startWorkload();
        try (RowWriter writer = new RowWriter(db, backfilled, ROWS).start()) {
            ConsumerProcess consumer = child(0);
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    awaitStreaming();
                    Request request = request();
                    awaitSnapshotRows(request);
                    consumer.kill();
                    assertBeforeRequest(request);
                    consumer = child(round + 1);
                    awaitCompleted(request);
                }
            } finally {
                consumer.close();
            }
            writer.close();
            try (ConsumerProcess last = child(ROUNDS + 1)) {
                finishBoth("backfill interrupted by SIGKILL of the consumer process");
            }
        }
    }

    @Test
    void aBackfillInterruptedByAServerRestartRunsAgainAndLosesNothing() throws Exception {
        OwnedServer server = new OwnedServer(db);
        startWorkload();
        try (RowWriter writer = new RowWriter(db, backfilled, ROWS).start()) {
            startRoute(new BackfillSinks("public." + table, durable("restart"), logSink(), 10));
            for (int round = 0; round < ROUNDS; round++) {
                awaitStreaming();
                Request request = request();
                awaitSnapshotRows(request);
                server.restart(round % 2 == 0 ? "fast" : "immediate");
                assertBeforeRequest(request);
                awaitCompleted(request);
            }
            writer.close();
            finishBoth("backfill interrupted by PostgreSQL restart (fast, immediate)");
        }
    }

    @Test
    void aBackfillWhoseBatchFailsRunsAgainAndLosesNothing() throws Exception {
        startWorkload();
        Set<String> failed = ConcurrentHashMap.newKeySet();
        AtomicInteger batches = new AtomicInteger();
        BackfillSinks sinks = new BackfillSinks("public." + table, durable("failing"), logSink(), 10);
        try (RowWriter writer = new RowWriter(db, backfilled, ROWS).start()) {
            startRoute(exchange -> {
                String id = exchange.getMessage().getHeader(PgReplicationConstants.BACKFILL, String.class);
                if (id != null && batches.incrementAndGet() % 20 == 0 && failed.add(id)) {
                    throw new IllegalStateException("the sink refuses a snapshot batch of backfill " + id);
                }
                sinks.process(exchange);
            });
            for (int round = 0; round < ROUNDS; round++) {
                awaitStreaming();
                Request request = request();
                awaitSnapshotRows(request);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> failed.contains(request.id()));
                assertBeforeRequest(request);
                awaitCompleted(request);
            }
            writer.close();
            finishBoth("backfill with a failing snapshot batch");
        }
    }

    // --- helpers

    /**
     * A request: its id, and a WAL position read just after its transaction committed. The slot stays before the
     * request's transaction (whose commit follows the message) until the backfill completed; other transactions
     * committed between the message and that commit may be confirmed meanwhile, so the check compares with a position
     * past the commit: confirmed before it means the request's transaction is not confirmed yet.
     */
    private record Request(String id, String lsn) {
    }

    private String backfillUri() {
        return uri("tables=" + table + "," + backfilled + "&reconnectDelay=100&maxReconnectDelay=1000&batchSize=100"
                   + "&statusInterval=1000");
    }

    private ConsumerProcess child(int n) throws Exception {
        String name = slot + "-backfill-" + n;
        return ConsumerProcess.startMain(db, BackfillConsumerMain.class, name, backfillUri(), db.jdbcUrl(), db.user(),
                "public." + table, sink, log, name);
    }

    private void startRoute(org.apache.camel.Processor processor) throws Exception {
        start(new RouteBuilder() {
            @Override
            public void configure() {
                from(backfillUri()).process(processor);
            }
        });
    }

    private DurableSink durable(String consumer) {
        return new DurableSink(db.jdbcUrl(), db.user(), db.password(), sink, consumer);
    }

    private EventLogSink logSink() {
        return new EventLogSink(db.jdbcUrl(), db.user(), db.password(), log);
    }

    /** operation=backfill of the backfilled table, from this JVM (another process than a child consumer). */
    private Request request() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            Exchange reply = context.createProducerTemplate().request(uri("operation=backfill&tables=" + backfilled),
                    e -> {
                    });
            if (reply.getException() != null) {
                throw reply.getException();
            }
            String afterCommit = db.queryString("SELECT pg_current_wal_insert_lsn()::text");
            assertThat(lsnDiff(reply.getMessage().getHeader(PgReplicationConstants.LSN, String.class), afterCommit))
                    .isNegative();
            return new Request(reply.getMessage().getHeader(PgReplicationConstants.BACKFILL, String.class),
                    afterCommit);
        }
    }

    private void awaitSnapshotRows(Request request) {
        Awaitility.await("snapshot rows of backfill " + request.id()).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(20)).until(() -> EventLogSink.attempts(db, log, request.id()) > 0);
        assertBeforeRequest(request);
    }

    /** The server's own view: the slot is not confirmed past the request. */
    private void assertBeforeRequest(Request request) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> db.confirmedFlushLsn(slot) != null);
        assertThat(lsnDiff(confirmed(), request.lsn())).as("confirmed_flush_lsn before the request's commit ("
                                                            + request.lsn() + ")").isNegative();
    }

    /** Waits until the slot passes the request, which it only does once the backfill completed. */
    private void awaitCompleted(Request request) {
        Awaitility.await("backfill " + request.id() + " completed").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> lsnDiff(confirmed(), request.lsn()) >= 0);
        assertThat(EventLogSink.attempts(db, log, request.id())).as("the interrupted backfill ran again")
                .isGreaterThanOrEqualTo(2);
    }

    /** The streamed table lost nothing; the backfilled table's log, applied in order, equals the table. */
    private void finishBoth(String fault) throws Exception {
        finish(fault, ROUNDS);
        // Every change is confirmed (finish waited for it), so every change is in the log: no waiting here.
        Map<Integer, String> source = EventLogSink.source(db, backfilled);
        assertThat(Replica.differences(source, EventLogSink.replay(db, log))).as("the backfilled table rebuilt from"
                                                                                 + " its log").isEmpty();
    }
}
