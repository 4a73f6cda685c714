package io.pgreplication.camel.examples.kafka;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.it.TestDatabase;
import io.pgreplication.camel.it.faults.ReliabilityReport;
import io.pgreplication.camel.it.faults.Workload;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka recipe ({@link ChangesToKafka} with the example's application.properties) against a real Kafka broker and
 * PostgreSQL, with writers committing to both tables all along. Then the topic is read back and checked against the
 * source tables: every committed change is there, a row's changes all in one partition and in commit order; and the
 * slot never moves past changes Kafka has not acknowledged, even while the broker is down.
 */
class KafkaRecipeIT {

    private static final String[] TABLES = {"orders", "items"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestDatabase db = TestDatabase.get();
    private final List<Workload> workloads = new ArrayList<>();
    private KafkaBroker broker;
    private Main app;

    @BeforeEach
    void setUp() throws Exception {
        for (String table : TABLES) {
            db.execute("DROP TABLE IF EXISTS " + table, "DROP TABLE IF EXISTS " + table + "_sink");
            Workload.createTables(db, table, table + "_sink");
        }
        broker = KafkaBroker.create();
        // As in production (docs/kafka.md): the topic exists, with its partitions, before the route sends to it.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("orders-cdc", 4, (short) 1))).all().get();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        workloads.forEach(Workload::close);
        if (app != null) {
            app.stop();
        }
        broker.close();
        db.dropSlotAndPublication("orders_slot", "orders_pub");
    }

    @Test
    void everyChangeArrivesOncePerKeyInCommitOrder() throws Exception {
        startApp(Map.of());
        startWriters();
        writeMore(500);
        stopWritersAndAwaitConfirmed();

        Map<String, List<Integer>> seqsByKey = checkTopic("Kafka recipe, no fault", 0);
        seqsByKey.forEach((key, seqs) -> assertThat(seqs).as("changes of %s, in offset order", key)
                .isEqualTo(range(seqs.size())));
    }

    @Test
    void theSlotWaitsForKafkaWhileTheBrokerIsDownAndNothingIsMissingAfterItReturns() throws Exception {
        startApp(Map.of());
        startWriters();
        writeMore(300);

        broker.stop();
        // What Kafka acknowledged before the stop is confirmed within a status interval; nothing after it can be.
        Thread.sleep(2000);
        String confirmedAtOutage = db.confirmedFlushLsn("orders_slot");
        long commitsAtOutage = commits();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> commits() > commitsAtOutage + 300);
        Thread.sleep(4000);
        assertThat(db.confirmedFlushLsn("orders_slot")).as("the slot while Kafka is down")
                .isEqualTo(confirmedAtOutage);
        assertThat(lsnDiff(db.queryString("SELECT pg_current_wal_lsn()::text"), confirmedAtOutage))
                .as("changes were committed past the confirmed position meanwhile").isPositive();

        broker.start();
        writeMore(200);
        stopWritersAndAwaitConfirmed();
        Map<String, List<Integer>> seqsByKey = checkTopic("Kafka broker stopped and restarted mid-stream", 1);
        seqsByKey.forEach((key, seqs) -> assertThat(withoutReplays(seqs)).as("changes of %s, in offset order", key)
                .isEqualTo(range(withoutReplays(seqs).size())));
    }

    private void startApp(Map<String, String> overrides) throws Exception {
        app = new Main();
        app.configure().addRoutesBuilder(new ChangesToKafka());
        app.addOverrideProperty("camel.component.pgreplication.url", db.jdbcUrl());
        app.addOverrideProperty("camel.component.pgreplication.user", db.user());
        // The embedded server trusts local connections and ignores a password; an external one needs its own.
        app.addOverrideProperty("camel.component.pgreplication.password",
                db.password() == null ? "unused-by-trust-auth" : db.password());
        app.addOverrideProperty("camel.component.pgreplication.status-interval", "500");
        app.addOverrideProperty("camel.component.kafka.brokers", broker.bootstrapServers());
        overrides.forEach(app::addOverrideProperty);
        app.start();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> "t".equals(db.queryString(
                "SELECT active FROM pg_replication_slots WHERE slot_name = 'orders_slot'")));
    }

    private void startWriters() {
        for (String table : TABLES) {
            workloads.add(new Workload(db, table, 2, 20).start());
        }
    }

    private long commits() {
        return workloads.stream().mapToLong(Workload::commits).sum();
    }

    /** Waits until the writers committed {@code more} further transactions. */
    private void writeMore(long more) {
        long target = commits() + more;
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> commits() >= target);
    }

    private void stopWritersAndAwaitConfirmed() {
        workloads.forEach(Workload::close);
        String end = db.queryString("SELECT pg_current_wal_lsn()::text");
        Awaitility.await("slot confirmed past " + end).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100)).until(() -> lsnDiff(db.confirmedFlushLsn("orders_slot"), end) >= 0);
    }

    /**
     * Reads the topic back: checks each record's key, headers and partition, writes every (id, seq) into the tables'
     * sinks for the fault suite's data check (nothing lost; no duplicates unless a fault was injected), and returns
     * each key's seq values in offset order.
     */
    private Map<String, List<Integer>> checkTopic(String fault, int faults) throws Exception {
        List<ConsumerRecord<String, String>> records = new ArrayList<>(
                KafkaTopic.readAll(broker.bootstrapServers(), "orders-cdc"));
        records.sort(Comparator.<ConsumerRecord<String, String>>comparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset));
        Map<String, List<Integer>> seqsByKey = new LinkedHashMap<>();
        Map<String, Integer> partitionOfKey = new LinkedHashMap<>();
        try (Connection c = db.connect()) {
            for (ConsumerRecord<String, String> record : records) {
                JsonNode change = JSON.readTree(record.value());
                String table = change.get("schema").asText() + "." + change.get("table").asText();
                int id = change.get("after").get("id").asInt();
                int seq = change.get("after").get("seq").asInt();
                assertThat(record.key()).isEqualTo("{\"table\":\"" + table + "\",\"key\":{\"id\":" + id + "}}");
                assertThat(header(record, ChangeRecords.LSN)).isEqualTo(change.get("lsn").asText());
                assertThat(header(record, ChangeRecords.COMMIT_LSN)).isEqualTo(change.get("commitLsn").asText());
                assertThat(header(record, ChangeRecords.TABLE)).isEqualTo(table);
                assertThat(header(record, ChangeRecords.OP)).isIn("insert", "update");
                assertThat(partitionOfKey.computeIfAbsent(record.key(), k -> record.partition()))
                        .as("partition of %s", record.key()).isEqualTo(record.partition());
                seqsByKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(seq);
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO " + change.get("table").asText() + "_sink (id, seq, consumer) VALUES (?, ?, 'kafka')")) {
                    ps.setInt(1, id);
                    ps.setInt(2, seq);
                    ps.executeUpdate();
                }
            }
        }
        for (String table : TABLES) {
            ReliabilityReport.Result result = ReliabilityReport.check(db, table, table + "_sink");
            ReliabilityReport.print(fault + " (" + table + ")", faults, result);
            assertThat(result.written()).as("changes written to %s", table).isPositive();
            assertThat(result.lost()).as("committed changes of %s missing from Kafka", table).isZero();
            if (faults == 0) {
                assertThat(result.duplicated()).as("duplicates of %s without a fault", table).isZero();
            }
        }
        return seqsByKey;
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * A key's changes as a consumer that skips repeats reads them: each record whose change is not newer than one it
     * already read is dropped (at-least-once redelivery replays a key's changes from the confirmed position).
     */
    private static List<Integer> withoutReplays(List<Integer> seqs) {
        List<Integer> kept = new ArrayList<>();
        for (int seq : seqs) {
            if (kept.isEmpty() || seq > kept.get(kept.size() - 1)) {
                kept.add(seq);
            }
        }
        return kept;
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            r.add(i);
        }
        return r;
    }

    private long lsnDiff(String a, String b) {
        return Long.parseLong(db.queryString("SELECT pg_wal_lsn_diff('" + a + "', '" + b + "')::bigint"));
    }
}
