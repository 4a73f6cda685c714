package io.pgreplication.camel.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.PgReplicationConsumer;
import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The initial snapshot (docs/delivery.md) against a real server. Tagged compat: the temporary exporting slot, its copy into the permanent slot and
 * the switch to streaming are checked on every supported major (13 reads tables whole: no TID range scans).
 */
@Tag("compat")
class SnapshotIT extends ReplicationITSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void initialSnapshotDeliversExistingRowsThenStreamsFromTheConsistentPoint() throws Exception {
        String t = TestDatabase.uniqueName("snap");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, name text, amount numeric(8,2))",
                "INSERT INTO " + t + " SELECT g, 'n' || g, g * 1.5 FROM generate_series(1, 25) g");
        Received received = new Received();
        startRoute("tables=" + t + "&snapshotMode=initial&batchSize=10", received);
        await().until(() -> received.eventCount() == 25);
        awaitStreaming();
        db.execute("INSERT INTO " + t + " VALUES (26, 'late', 1)");
        await().until(() -> received.eventCount() == 26);

        List<Received.Batch> snapshotBatches = received.batches().stream()
                .filter(b -> Boolean.TRUE.equals(b.headers().get(PgReplicationConstants.SNAPSHOT))).toList();
        assertThat(snapshotBatches).hasSize(3);
        assertThat(snapshotBatches).allSatisfy(b -> assertThat(b.events().size()).isLessThanOrEqualTo(10));
        ChangeEvent first = snapshotBatches.get(0).events().get(0);
        assertThat(first.getOp()).isEqualTo("snapshot");
        assertThat(first.getBefore()).isNull();
        assertThat(first.getXid()).isNull();
        assertThat(first.getCommitTime()).isNull();
        assertThat(first.getLsn()).isEqualTo(first.getCommitLsn());
        assertThat(first.getKey()).isEqualTo(Map.of("id", first.getAfter().get("id")));
        assertThat(snapshotBatches.get(0).header(PgReplicationConstants.LSN)).isEqualTo(first.getLsn());
        assertThat(snapshotBatches.get(0).header(PgReplicationConstants.TABLE)).isEqualTo("public." + t);
        assertThat(snapshotBatches.get(0).headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of("id"));
        JsonNode json = JSON.readTree(snapshotBatches.get(0).json()).get(0);
        assertThat(json.get("op").asText()).isEqualTo("snapshot");
        assertThat(json.get("xid").isNull()).isTrue();
        assertThat(json.get("commitTime").isNull()).isTrue();
        assertThat(json.get("before").isNull()).isTrue();

        ChangeEvent late = received.events().get(25);
        assertThat(late.getOp()).isEqualTo("insert");
        assertThat(lsnDiff(late.getCommitLsn(), first.getLsn())).isPositive();
        assertThat(received.batches().get(received.batches().size() - 1).headers()
                .get(PgReplicationConstants.SNAPSHOT)).isEqualTo(false);
        // The slot sits at the snapshot's consistent point or later; the temporary slot is gone.
        assertThat(lsnDiff(confirmed(), first.getLsn())).isGreaterThanOrEqualTo(0);
        assertThat(temporarySlots()).isZero();
    }

    @Test
    void writersDuringTheSnapshotAreNeitherLostNorDoubledAtTheSwitch() throws Exception {
        String a = TestDatabase.uniqueName("wa");
        String b = TestDatabase.uniqueName("wb");
        for (String t : List.of(a, b)) {
            db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, version int NOT NULL, payload text)",
                    "INSERT INTO " + t + " SELECT g, 0, md5(g::text) FROM generate_series(1, 5000) g");
        }
        Replica replica = new Replica();
        AtomicInteger snapshotBatches = new AtomicInteger();
        AtomicInteger streamedDuringTest = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Thread> writers = new ArrayList<>();
        AtomicInteger nextId = new AtomicInteger(100_000);
        for (String t : List.of(a, b)) {
            writers.add(writer(t, writing, nextId));
        }
        writers.forEach(Thread::start);
        start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + a + "," + b + "&snapshotMode=initial&batchSize=200&snapshotParallelism=2"))
                        .process(e -> {
                            if (Boolean.TRUE.equals(e.getIn().getHeader(PgReplicationConstants.SNAPSHOT))) {
                                snapshotBatches.incrementAndGet();
                                Thread.sleep(20); // a slow sink: the writers keep writing during the snapshot
                            } else {
                                streamedDuringTest.addAndGet(e.getIn().getBody(List.class).size());
                            }
                            replica.process(e);
                        });
            }
        });
        await().until(() -> snapshotBatches.get() >= 50);
        awaitStreaming();
        Thread.sleep(500); // writes go on after the switch as well
        writing.set(false);
        for (Thread w : writers) {
            w.join();
        }
        for (String t : List.of(a, b)) {
            var source = Replica.source(db, t, "id");
            try {
                await().atMost(java.time.Duration.ofSeconds(30)).until(() -> source.equals(replica.table(t)));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                assertThat(replica.table(t)).as("replica of " + t).isEqualTo(source);
            }
        }
        assertThat(replica.anomalies()).isEmpty();
        // The writers really overlapped the snapshot: changes were streamed after it, on top of its rows.
        assertThat(streamedDuringTest.get()).isGreaterThan(100);
    }

    @Test
    void initialOnlyStopsTheRouteAfterTheSnapshotAndLeavesTheSlotForALaterStream() throws Exception {
        String t = TestDatabase.uniqueName("only");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, v text)",
                "INSERT INTO " + t + " SELECT g, 'v' FROM generate_series(1, 30) g");
        Received received = new Received();
        CamelContext context = start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + t + "&snapshotMode=initialOnly")).routeId("only").process(received);
            }
        });
        await().until(() -> context.getRouteController().getRouteStatus("only") == ServiceStatus.Stopped);
        assertThat(received.eventCount()).isEqualTo(30);
        assertThat(received.events()).allSatisfy(e -> assertThat(e.getOp()).isEqualTo("snapshot"));
        String point = received.events().get(0).getLsn();
        assertThat(confirmed()).isEqualTo(point);
        assertThat(db.queryString("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .isEqualTo("f");

        // A later stream continues exactly after the snapshot.
        db.execute("INSERT INTO " + t + " VALUES (31, 'after')");
        Received streamed = new Received();
        startRoute("tables=" + t, streamed);
        await().until(() -> streamed.eventCount() == 1);
        assertThat(streamed.events().get(0).getOp()).isEqualTo("insert");
        assertThat(streamed.events().get(0).getAfter()).containsEntry("id", 31);
    }

    @Test
    void includeColumnsShapesSnapshotRowsWhileTheKeyStaysInKey() throws Exception {
        String t = TestDatabase.uniqueName("inc");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, name text, secret text, qty int)",
                "INSERT INTO " + t + " VALUES (1, 'a', 'x', 5)");
        Received received = new Received();
        startRoute("tables=" + t + "&snapshotMode=initial&includeColumns=RAW(" + t + "(name,qty))", received);
        await().until(() -> received.eventCount() == 1);
        ChangeEvent e = received.events().get(0);
        assertThat(e.getAfter()).isEqualTo(Map.of("name", "a", "qty", 5));
        assertThat(e.getKey()).isEqualTo(Map.of("id", 1));
    }

    @Test
    void snapshotValuesEqualStreamedValuesForTheSameRow() throws Exception {
        String t = TestDatabase.uniqueName("types");
        String mood = TestDatabase.uniqueName("mood");
        String positive = TestDatabase.uniqueName("positive");
        db.execute("CREATE TYPE " + mood + " AS ENUM ('sad', 'happy')",
                "CREATE DOMAIN " + positive + " AS int CHECK (VALUE > 0)",
                "CREATE TABLE " + t + " (id int PRIMARY KEY, i2 smallint, i8 bigint, f4 real, f8 double precision,"
                + " f8nan double precision, num numeric(12,4), numnan numeric, b boolean, txt text, vc varchar(20),"
                + " bp char(5), ba bytea, u uuid, d date, dinf date, tm time, ttz timetz, ts timestamp,"
                + " tstz timestamptz, tsinf timestamptz, iv interval, js json, jb jsonb, ia int[], ta text[],"
                + " m " + mood + ", p " + positive + ", ip inet, money money, nul text)",
                "INSERT INTO " + t + " VALUES (1, -3, 9000000000, 1.5, 0.1, 'NaN', 12.3456, 'NaN', true,"
                + " E'tab\\there\\nnew line \\\\ back ü🦆', 'v', 'ab', '\\x00ff0a5c', gen_random_uuid(),"
                + " '2024-02-29', 'infinity', '13:45:06.123456', '13:45:06+02', '2024-01-02 03:04:05.678',"
                + " '2024-01-02 03:04:05.678+01', '-infinity', '1 year 2 months 3 days 04:05:06.5',"
                + " '{\"a\": [1, \"x\\ty\"]}', '{\"b\": {\"c\": null}}', '{1,2,NULL}', '{\"a b\",\"c\\\"d\"}',"
                + " 'happy', 7, '10.0.0.1/8', 12.5, NULL)");
        Received received = new Received();
        startRoute("tables=" + t + "&snapshotMode=initial", received);
        await().until(() -> received.eventCount() == 1);
        awaitStreaming();
        db.execute("INSERT INTO " + t + " SELECT 2, i2, i8, f4, f8, f8nan, num, numnan, b, txt, vc, bp, ba, u, d,"
                   + " dinf, tm, ttz, ts, tstz, tsinf, iv, js, jb, ia, ta, m, p, ip, money, nul FROM " + t);
        await().until(() -> received.eventCount() == 2);
        ChangeEvent snap = received.events().get(0);
        ChangeEvent streamed = received.events().get(1);
        assertThat(snap.getOp()).isEqualTo("snapshot");
        assertThat(streamed.getOp()).isEqualTo("insert");
        for (String column : snap.getAfter().keySet()) {
            if (column.equals("id") || snap.getAfter().get(column) == null) {
                continue;
            }
            assertThat(snap.getAfter().get(column).getClass()).as(column)
                    .isEqualTo(streamed.getAfter().get(column).getClass());
        }
        assertThat(snap.getAfter().keySet()).isEqualTo(streamed.getAfter().keySet());
        assertThat(afterJson(received.batches().get(0).json())).isEqualTo(afterJson(received.batches().get(1).json()));
    }

    @Test
    void aSnapshotCutShortByKilledConnectionsLeavesNoSlotAndIsTakenAgainWhole() throws Exception {
        String t = TestDatabase.uniqueName("kill");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, v text)",
                "INSERT INTO " + t + " SELECT g, 'v' FROM generate_series(1, 2000) g");
        Received received = new Received();
        CountDownLatch firstBatch = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CamelContext context = start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + t + "&snapshotMode=initial&batchSize=100&reconnectDelay=200")).routeId("kill")
                        .process(e -> {
                            firstBatch.countDown();
                            release.await(60, TimeUnit.SECONDS);
                        })
                        .process(received);
            }
        });
        assertThat(firstBatch.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(temporarySlots()).isEqualTo(1);
        // The slot does not exist during the snapshot, yet the consumer works as meant: its health is UP.
        HealthCheck health = ((PgReplicationConsumer) context.getRoute("kill").getConsumer()).getHealthCheck();
        HealthCheck.Result result = health.call();
        assertThat(result.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(result.getDetails()).containsEntry("snapshot", "in progress");
        // The server ends the snapshot's connections as it would if the consumer's process died.
        db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE"
                   + " 'camel-pgreplication snapshot " + slot + "%'");
        await().until(() -> temporarySlots() == 0);
        assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .isEqualTo("0");
        release.countDown();
        // Taken again from the start: every row arrives in the second, complete snapshot.
        awaitStreaming();
        List<ChangeEvent> events = received.events();
        int secondStart = events.size() - 2000;
        assertThat(secondStart).isGreaterThanOrEqualTo(0);
        assertThat(events.subList(secondStart, events.size()).stream().map(e -> e.getKey().get("id")).distinct()
                .count()).isEqualTo(2000);
        assertThat(events.subList(0, secondStart).stream().map(ChangeEvent::getLsn).distinct().toList())
                .doesNotContain(events.get(events.size() - 1).getLsn());
    }

    private long temporarySlots() {
        return Long.parseLong(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '"
                                             + slot + "\\_snapshot\\_%'"));
    }

    private static JsonNode afterJson(String batchJson) throws Exception {
        ObjectNode after = (ObjectNode) JSON.readTree(batchJson).get(0).get("after");
        after.remove("id");
        return after;
    }

    private Thread writer(String table, AtomicBoolean writing, AtomicInteger nextId) {
        return new Thread(() -> {
            try (var c = db.connect(); var st = c.createStatement()) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (writing.get()) {
                    int key = r.nextInt(1, 5001);
                    switch (r.nextInt(4)) {
                        case 0 -> st.execute("INSERT INTO " + table + " VALUES (" + nextId.incrementAndGet()
                                             + ", 0, 'new')");
                        case 1 -> st.execute("DELETE FROM " + table + " WHERE id = " + key);
                        case 2 -> st.execute("UPDATE " + table + " SET id = " + nextId.incrementAndGet()
                                             + " WHERE id = " + key);
                        default -> st.execute("UPDATE " + table + " SET version = version + 1, payload = md5(random()"
                                              + "::text) WHERE id = " + key);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "writer-" + table);
    }
}
