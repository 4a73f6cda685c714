package io.pgreplication.camel.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.PgReplicationConsumer;
import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.logging.log4j.Level;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Online backfill (docs/user-guide.md, "Online backfill") against a real server: a table added to a running pipeline
 * is read again while writers change it and another table, the request is acted on whoever made it and whenever the
 * consumer reads it, invalid requests are skipped, and snapshotMode=initial backfills tables added to an existing slot.
 * Every case ends with a data check: the events applied in order equal the tables.
 */
class BackfillIT extends ReplicationITSupport {

    private final List<String> tables = new ArrayList<>();

    @AfterEach
    void dropTables() {
        for (String t : tables) {
            db.execute("DROP TABLE IF EXISTS " + t);
        }
    }

    @Test
    void aTableAddedToARunningPipelineIsBackfilledWhileWritersChangeItAndTheOtherTableKeepsStreaming()
            throws Exception {
        String a = table("bfa", 1_000);
        String b = table("bfb", 20_000);
        Replica replica = new Replica();
        List<String> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Received.Batch> backfillBatches = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<ChangeEvent> streamedB = new java.util.concurrent.CopyOnWriteArrayList<>();
        CamelContext context = start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + a + "," + b + "&batchSize=200&statusInterval=1s")).process(e -> {
                    @SuppressWarnings("unchecked")
                    List<ChangeEvent> events = e.getIn().getBody(List.class);
                    String backfill = e.getIn().getHeader(PgReplicationConstants.BACKFILL, String.class);
                    if (backfill != null) {
                        arrivals.add("backfill");
                        backfillBatches.add(new Received.Batch(Map.copyOf(e.getIn().getHeaders()), List.copyOf(events),
                                null));
                        Thread.sleep(20); // a slow sink: the writers and the other table go on meanwhile
                    } else {
                        arrivals.add(events.get(0).getTable());
                        if (events.get(0).getTable().equals(b)) {
                            streamedB.addAll(events);
                        }
                    }
                    replica.process(e);
                });
            }
        });
        awaitStreaming();
        replica.load(db, a, "id"); // the sink had the streamed table before; the new one comes by the backfill
        RowWriter writeA = new RowWriter(db, a, 1_000).start();
        RowWriter writeB = new RowWriter(db, b, 20_000).start();
        Thread.sleep(300); // the new table's changes stream before the request too

        Exchange reply = backfill(b);
        String requestLsn = reply.getMessage().getHeader(PgReplicationConstants.LSN, String.class);
        // Past the request's commit: the slot stays before it until the backfill completed (the request's own LSN
        // may be passed by transactions that committed between the request and its commit).
        String afterCommit = db.queryString("SELECT pg_current_wal_insert_lsn()::text");
        String id = reply.getMessage().getHeader(PgReplicationConstants.BACKFILL, String.class);
        assertThat(id).isNotBlank();
        @SuppressWarnings("unchecked")
        Map<String, Object> body = reply.getMessage().getBody(Map.class);
        assertThat(body).containsEntry("backfill", id).containsEntry("lsn", requestLsn)
                .containsEntry("tables", List.of("public." + b));

        await().until(() -> backfillBatches.size() >= 10);
        assertThat(lsnDiff(confirmed(), afterCommit)).as("the slot stays before the request during the backfill")
                .isNegative();
        PgReplicationConsumer consumer = (PgReplicationConsumer) context.getRoutes().get(0).getConsumer();
        assertThat(consumer.getBackfill()).startsWith(id + " of [public." + b + "]");
        assertThat(consumer.getHealthCheck().call().getDetails()).containsEntry("backfill",
                consumer.getBackfill() + " in progress");
        await().until(() -> lsnDiff(confirmed(), afterCommit) >= 0);
        await().until(() -> consumer.getBackfill() == null);
        Thread.sleep(300); // and writes go on after it
        writeA.close();
        writeB.close();

        assertEqual(replica, a, b);
        assertThat(replica.anomalies()).isEmpty();
        assertThat(backfillBatches).allSatisfy(batch -> {
            assertThat(batch.header(PgReplicationConstants.BACKFILL)).isEqualTo(id);
            assertThat(batch.headers().get(PgReplicationConstants.SNAPSHOT)).isEqualTo(true);
            assertThat(batch.header(PgReplicationConstants.TABLE)).isEqualTo("public." + b);
        });
        ChangeEvent row = backfillBatches.get(0).events().get(0);
        String point = row.getLsn();
        assertThat(row.getOp()).isEqualTo("snapshot");
        assertThat(row.getCommitLsn()).isEqualTo(point);
        assertThat(lsnDiff(point, requestLsn)).as("the snapshot is taken after the request").isPositive();
        assertThat(backfillBatches.stream().mapToInt(batch -> batch.events().size()).sum())
                .isEqualTo(replica.backfillRows(b));
        // The other table kept streaming while the snapshot rows went out.
        int first = arrivals.indexOf("backfill");
        int last = arrivals.lastIndexOf("backfill");
        assertThat(arrivals.subList(first, last)).as("batches delivered during the backfill").contains(a);
        // The backfilled table: nothing committed before the snapshot's point after its first rows.
        List<ChangeEvent> afterRows = streamedB.subList(streamedB.size() - replica.changesSinceBackfill(b),
                streamedB.size());
        assertThat(afterRows).isNotEmpty().allSatisfy(e -> assertThat(lsnDiff(e.getCommitLsn(), point))
                .isGreaterThanOrEqualTo(0));
    }

    @Test
    void aRequestFromAnotherContextMadeWhileTheConsumerWasStoppedIsCarriedOutAfterItStarts() throws Exception {
        String a = table("sta", 10);
        String b = table("stb", 500);
        CamelContext first = startRoute("tables=" + a + "," + b + "&statusInterval=1s", new Received());
        awaitStreaming();
        first.stop();
        await().until(() -> "f".equals(db.queryString("SELECT active FROM pg_replication_slots WHERE slot_name = '"
                                                      + slot + "'")));
        db.execute("UPDATE " + b + " SET version = version + 1 WHERE id <= 100",
                "DELETE FROM " + b + " WHERE id > 450");

        backfill(b);
        String afterCommit = db.queryString("SELECT pg_current_wal_insert_lsn()::text");
        db.execute("UPDATE " + b + " SET payload = 'after' WHERE id <= 10");
        assertThat(lsnDiff(confirmed(), afterCommit)).isNegative();

        Replica replica = new Replica();
        startRoute("tables=" + a + "," + b + "&statusInterval=1s", replica);
        await().until(() -> lsnDiff(confirmed(), afterCommit) >= 0);
        assertEqual(replica, b);
        assertThat(replica.backfillRows(b)).isEqualTo(450);
        assertThat(replica.anomalies()).isEmpty();
    }

    @Test
    void invalidRequestsAreSkippedWithAWarningAndOwnMessagesAreNeverDeliveredAsMessageEvents() throws Exception {
        String a = table("inva", 10);
        String b = table("invb", 10);
        String other = table("invc", 10);
        Received received = new Received();
        try (LogCapture log = LogCapture.start("backfill-invalid", Level.INFO)) {
            startRoute("tables=" + a + "," + b + "&messages=true", received);
            awaitStreaming();
            String tableC = "{\"schema\":\"public\",\"table\":\"" + other + "\"}";
            emit(true, "{not json");
            emit(true, "{\"backfill\":\"x1\",\"slot\":\"another_slot\",\"tables\":[" + tableC + "]}");
            emit(true, "{\"backfill\":\"x2\",\"slot\":\"" + slot + "\",\"tables\":[" + tableC + "]}");
            emit(false, "{\"backfill\":\"x3\",\"slot\":\"" + slot + "\",\"tables\":[" + tableC + "]}");
            db.execute("SELECT pg_logical_emit_message(true, 'audit', 'hello')",
                    "INSERT INTO " + a + " VALUES (11, 0, 'after')");
            await().until(() -> received.events().stream().anyMatch(e -> "insert".equals(e.getOp())));

            assertThat(received.events()).noneMatch(e -> "snapshot".equals(e.getOp()));
            assertThat(received.events()).filteredOn(e -> "message".equals(e.getOp()))
                    .extracting(ChangeEvent::getPrefix).containsExactly("audit");
            String text = log.text();
            assertThat(text).contains("WARN").contains("skipped a malformed pgreplication message")
                    .contains("skipped backfill request x1").contains("it is for slot another_slot")
                    .contains("backfill request x2").contains("outside this consumer's tables")
                    .contains("skipped a non-transactional pgreplication message");
        }
        // The stream goes on, and a valid request is carried out.
        Replica replica = new Replica();
        CamelContext context = contexts.get(0);
        context.stop();
        startRoute("tables=" + a + "," + b + "&statusInterval=1s", replica);
        backfill(b);
        String afterCommit = db.queryString("SELECT pg_current_wal_insert_lsn()::text");
        await().until(() -> lsnDiff(confirmed(), afterCommit) >= 0);
        assertThat(replica.backfillRows(b)).isEqualTo(10);
    }

    @Test
    void snapshotModeInitialOnAnExistingSlotBackfillsTheTablesAddedToIt() throws Exception {
        String a = table("inia", 30);
        String b = table("inib", 40);
        Received first = new Received();
        CamelContext context = startRoute("tables=" + a + "&snapshotMode=initial", first);
        await().until(() -> first.eventCount() == 30);
        awaitStreaming();
        context.stop();

        Replica replica = new Replica();
        Received second = new Received();
        startRoute("tables=" + a + "," + b + "&snapshotMode=initial", e -> {
            second.process(e);
            replica.process(e);
        });
        await().until(() -> replica.backfillRows(b) == 40);
        db.execute("UPDATE " + b + " SET version = 7 WHERE id = 1");
        await().until(() -> second.events().stream().anyMatch(e -> "update".equals(e.getOp())));
        assertEqual(replica, b);
        assertThat(second.batches()).filteredOn(batch -> batch.header(PgReplicationConstants.BACKFILL) != null)
                .allSatisfy(batch -> assertThat(batch.header(PgReplicationConstants.TABLE)).isEqualTo("public." + b));
        assertThat(second.events()).filteredOn(e -> e.getTable().equals(a)).isEmpty();
        assertThat(db.queryColumn("SELECT tablename FROM pg_publication_tables WHERE pubname = '" + publication
                                  + "'")).contains(b);
    }

    // --- helpers

    /** A table {@code (id int primary key, version int, payload text)} with {@code rows} rows. */
    private String table(String prefix, int rows) {
        String t = TestDatabase.uniqueName(prefix);
        tables.add(t);
        RowWriter.createTable(db, t, rows);
        return t;
    }

    /** operation=backfill from a CamelContext of its own. */
    private Exchange backfill(String table) throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            ProducerTemplate template = context.createProducerTemplate();
            Exchange reply = template.request(uri("operation=backfill&tables=" + table), e -> {
            });
            if (reply.getException() != null) {
                throw reply.getException();
            }
            return reply;
        }
    }

    private void emit(boolean transactional, String content) {
        db.execute("SELECT pg_logical_emit_message(" + transactional + ", 'pgreplication', '" + content + "')");
    }

    private void assertEqual(Replica replica, String... names) throws Exception {
        for (String t : names) {
            var source = Replica.source(db, t, "id");
            try {
                await().atMost(java.time.Duration.ofSeconds(30)).until(() -> source.equals(replica.table(t)));
            } catch (ConditionTimeoutException e) {
                assertThat(Replica.differences(source, replica.table(t))).as("replica of " + t).isEmpty();
            }
        }
    }
}
