package io.pgreplication.camel.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/delivery.md: what the slot is confirmed to, and when. Every check asks the server (pg_replication_slots). */
class ConfirmationIT extends ReplicationITSupport {

    private static final String FAST = "statusInterval=100&batchTimeout=20&reconnectDelay=200";

    private String table;

    private void createTable() {
        table = TestDatabase.uniqueName("conf");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)");
    }

    private void insert(int id) {
        db.execute("INSERT INTO " + table + " VALUES (" + id + ", 'v" + id + "')");
    }

    private static int id(ChangeEvent e) {
        return (Integer) e.getAfter().get("id");
    }

    @Test
    void theSlotMovesOnlyAfterExchangesCompleteAndOnlyToTransactionEnds() throws Exception {
        createTable();
        CountDownLatch release = new CountDownLatch(1);
        Received received = new Received();
        start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + table + "&" + FAST)).process(received).process(e -> {
                    if (e.getIn().getBody(List.class).stream().anyMatch(c -> id((ChangeEvent) c) == 2)) {
                        release.await(60, TimeUnit.SECONDS);
                    }
                });
            }
        });
        awaitStreaming();
        insert(1);
        await().until(() -> received.eventCount() == 1);
        ChangeEvent first = received.events().get(0);
        await().until(() -> lsnDiff(confirmed(), first.getCommitLsn()) > 0);

        insert(2);
        await().until(() -> received.eventCount() == 2);
        ChangeEvent second = received.events().get(1);
        // While the second transaction's batch is in the route, the slot stays at or before its first change.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> lsnDiff(confirmed(), second.getLsn()) <= 0
                             && lsnDiff(confirmed(), first.getCommitLsn()) > 0);
        release.countDown();
        await().until(() -> lsnDiff(confirmed(), second.getCommitLsn()) > 0);
    }

    @Test
    void aRouteThatThrowsHoldsTheSlotBeforeTheFailedTransactionAndGetsItAgain() throws Exception {
        createTable();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch thirdAttempt = new CountDownLatch(1);
        Received delivered = new Received();
        start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + table + "&" + FAST)).process(e -> {
                    boolean hasTwo = e.getIn().getBody(List.class).stream().anyMatch(c -> id((ChangeEvent) c) == 2);
                    if (hasTwo && failures.incrementAndGet() <= 2) {
                        throw new IllegalStateException("sink down");
                    }
                    if (hasTwo) {
                        // the third attempt waits until the test has looked at the slot
                        thirdAttempt.await();
                    }
                }).process(delivered);
            }
        });
        awaitStreaming();
        insert(1);
        await().until(() -> delivered.eventCount() == 1);
        String afterFirst = db.queryString("SELECT pg_current_wal_lsn()::text");
        insert(2);
        // failed twice, redelivered after each reconnect, and in a route again: not confirmed meanwhile
        await().until(() -> failures.get() == 3);
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5))
                .until(() -> lsnDiff(confirmed(), afterFirst) <= 0);
        thirdAttempt.countDown();
        insert(3);
        await().until(() -> delivered.events().stream().map(ConfirmationIT::id).toList().containsAll(List.of(2, 3)));
        assertThat(failures.get()).isEqualTo(3);
        assertThat(delivered.events().stream().map(ConfirmationIT::id).distinct()).containsExactly(1, 2, 3);
        ChangeEvent three = delivered.events().stream().filter(e -> id(e) == 3).findFirst().orElseThrow();
        await().until(() -> lsnDiff(confirmed(), three.getCommitLsn()) > 0);
    }

    @Test
    void withADeadLetterChannelAFailedBatchCountsAsDoneAndTheSlotMovesOn() throws Exception {
        createTable();
        Received dead = new Received();
        AtomicInteger attempts = new AtomicInteger();
        start(new RouteBuilder() {
            public void configure() {
                errorHandler(deadLetterChannel("direct:dead"));
                from("direct:dead").process(dead);
                from(uri("tables=" + table + "&" + FAST)).process(e -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("poison");
                });
            }
        });
        awaitStreaming();
        insert(7);
        await().until(() -> dead.eventCount() == 1);
        ChangeEvent poison = dead.events().get(0);
        await().until(() -> lsnDiff(confirmed(), poison.getCommitLsn()) > 0);
        assertThat(attempts.get()).as("handled failures are not redelivered").isEqualTo(1);
    }

    @Test
    void outOfOrderCompletionWithThreadsNeverConfirmsPastAnUnfinishedBatch() throws Exception {
        createTable();
        CountDownLatch release = new CountDownLatch(1);
        Set<Integer> completed = ConcurrentHashMap.newKeySet();
        Map<Integer, ChangeEvent> seen = new ConcurrentHashMap<>();
        start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + table + "&batchSize=1&" + FAST)).threads(4).process(e -> {
                    ChangeEvent change = (ChangeEvent) e.getIn().getBody(List.class).get(0);
                    seen.put(id(change), change);
                    if (id(change) == 1) {
                        release.await(60, TimeUnit.SECONDS);
                    }
                    completed.add(id(change));
                });
            }
        });
        awaitStreaming();
        for (int i = 1; i <= 5; i++) {
            insert(i);
        }
        await().until(() -> completed.containsAll(List.of(2, 3, 4, 5)));
        ChangeEvent one = seen.get(1);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> lsnDiff(confirmed(), one.getLsn()) <= 0);
        release.countDown();
        await().until(() -> lsnDiff(confirmed(), seen.get(5).getCommitLsn()) > 0);
    }

    @Test
    void aQuietPublishedTableBesideABusyUnpublishedOneDoesNotPinWal() throws Exception {
        createTable();
        String busy = TestDatabase.uniqueName("busy");
        db.execute("CREATE TABLE " + busy + " (id serial PRIMARY KEY, v text)");
        start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + table + "&" + FAST)).log("unexpected ${body}");
            }
        });
        awaitStreaming();
        String before = confirmed();
        for (int i = 0; i < 50; i++) {
            db.execute("INSERT INTO " + busy + " (v) SELECT md5(g::text) FROM generate_series(1, 200) g");
        }
        String written = db.queryString("SELECT pg_current_wal_lsn()::text");
        await().until(() -> lsnDiff(confirmed(), written) >= 0);
        assertThat(lsnDiff(confirmed(), before)).isPositive();
    }

    @Test
    void stopAndStartMidTrafficLosesNothingAndRedeliversOnlyTheUnconfirmedTail() throws Exception {
        createTable();
        Received firstRun = new Received();
        String options = "tables=" + table + "&batchSize=5&" + FAST;
        var context = start(new RouteBuilder() {
            public void configure() {
                from(uri(options)).process(e -> Thread.sleep(30)).process(firstRun);
            }
        });
        awaitStreaming();
        Thread writer = new Thread(() -> {
            for (int i = 1; i <= 400; i++) {
                insert(i);
            }
        });
        writer.start();
        await().until(() -> firstRun.eventCount() >= 50);
        context.stop();
        String confirmedAtStop = confirmed();
        // The stop let the in-flight batches finish and confirmed every transaction the route completed whose Commit
        // had been read. Each insert is its own transaction, so at most one completed change can be unconfirmed: the
        // one of the transaction the stop came inside, if its Commit did not arrive within the stop's drain. It comes
        // again below.
        List<ChangeEvent> unconfirmed = firstRun.events().stream()
                .filter(e -> lsnDiff(confirmedAtStop, e.getCommitLsn()) <= 0).toList();
        assertThat(unconfirmed).as("completed changes the stop left unconfirmed").hasSizeLessThanOrEqualTo(1);
        Received secondRun = new Received();
        startRoute(options, secondRun);
        writer.join();
        await().until(() -> {
            Set<Integer> all = new java.util.HashSet<>();
            firstRun.events().forEach(e -> all.add(id(e)));
            secondRun.events().forEach(e -> all.add(id(e)));
            return all.size() == 400;
        });
        for (ChangeEvent e : secondRun.events()) {
            assertThat(lsnDiff(e.getCommitLsn(), confirmedAtStop)).as("only unconfirmed changes come again")
                    .isGreaterThanOrEqualTo(0);
        }
        assertThat(secondRun.events()).extracting(ConfirmationIT::id).as("the unconfirmed change comes again")
                .containsAll(unconfirmed.stream().map(ConfirmationIT::id).toList());
    }

    @Test
    void aBatchThatTakesLongerThanWalSenderTimeoutKeepsItsConnection() throws Exception {
        createTable();
        String role = TestDatabase.uniqueName("slow_role");
        db.execute("CREATE ROLE " + role + " LOGIN REPLICATION SUPERUSER PASSWORD 'pw'",
                "ALTER ROLE " + role + " SET wal_sender_timeout = '1s'");
        try {
            Received received = new Received();
            AtomicInteger slow = new AtomicInteger();
            start(new RouteBuilder() {
                public void configure() {
                    String connection = "url=RAW(" + db.jdbcUrl() + ")&user=" + role + "&password=pw";
                    from("pgreplication:" + slot + "?publication=" + publication + "&" + connection + "&tables="
                         + table + "&batchSize=1&batchTimeout=20&reconnectDelay=200")
                            .process(e -> {
                                if (slow.getAndIncrement() == 0) {
                                    Thread.sleep(4000);
                                }
                            }).process(received);
                }
            });
            awaitStreaming();
            String pid = db.queryString("SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
            assertThat(db.queryString("SELECT setting FROM pg_settings WHERE name = 'wal_sender_timeout'"))
                    .as("the server default is longer; only the role's walsender runs with 1s").isNotEqualTo("1000");
            for (int i = 1; i <= 10; i++) {
                insert(i);
            }
            await().until(() -> received.eventCount() >= 10);
            assertThat(received.events().stream().map(ConfirmationIT::id)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9,
                    10);
            assertThat(db.queryString("SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                    .as("same walsender: the connection was never dropped").isEqualTo(pid);
        } finally {
            for (var c : contexts) {
                c.stop();
            }
            db.dropSlotAndPublication(slot, publication);
            db.execute("DROP ROLE IF EXISTS " + role);
        }
    }
}
