package io.pgreplication.camel.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** messages=true (docs/user-guide.md): pg_logical_emit_message as message events; Origin and Type messages are understood. */
class MessagesIT extends ReplicationITSupport {

    private static final String FAST = "statusInterval=100&batchTimeout=20&reconnectDelay=200";

    private static String text(ChangeEvent e) {
        return new String(e.getContent(), StandardCharsets.UTF_8);
    }

    @Test
    void transactionalAndNonTransactionalMessagesArriveInStreamOrderAndAreConfirmed() throws Exception {
        String t = TestDatabase.uniqueName("msg");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        Received received = stream("tables=" + t + "&messages=true&" + FAST);

        db.execute("SELECT pg_logical_emit_message(false, 'audit', 'first')",
                "BEGIN; INSERT INTO " + t + " VALUES (1); SELECT pg_logical_emit_message(true, 'audit', 'in txn');"
                + " SELECT pg_logical_emit_message(true, 'audit', '\\x00ff'::bytea); COMMIT",
                // a rolled-back transaction's transactional message never arrives; a non-transactional one does
                "BEGIN; SELECT pg_logical_emit_message(true, 'audit', 'rolled back');"
                + " SELECT pg_logical_emit_message(false, 'audit', 'survives'); ROLLBACK",
                "SELECT pg_logical_emit_message(false, 'other', 'last')");

        await().until(() -> received.events().stream().filter(e -> e.getOp().equals("message")).count() == 5);
        List<ChangeEvent> messages = received.events().stream().filter(e -> e.getOp().equals("message")).toList();
        assertThat(messages).extracting(e -> e.getPrefix() + ":" + e.isTransactional())
                .containsExactly("audit:false", "audit:true", "audit:true", "audit:false", "other:false");
        assertThat(text(messages.get(0))).isEqualTo("first");
        assertThat(text(messages.get(1))).isEqualTo("in txn");
        assertThat(messages.get(2).getContent()).containsExactly(0x00, 0xff);
        assertThat(text(messages.get(3))).isEqualTo("survives");
        assertThat(received.events()).noneMatch(e -> "message".equals(e.getOp()) && text(e).equals("rolled back"));

        ChangeEvent insert = received.events().stream().filter(e -> e.getOp().equals("insert")).findFirst()
                .orElseThrow();
        // a transactional message shares its transaction's xid, commitLsn and commit time
        assertThat(messages.get(1).getXid()).isEqualTo(insert.getXid());
        assertThat(messages.get(1).getCommitLsn()).isEqualTo(insert.getCommitLsn());
        assertThat(messages.get(1).getCommitTime()).isEqualTo(insert.getCommitTime());
        // a non-transactional one has no transaction; its commitLsn is its own LSN, increasing in stream order
        ChangeEvent first = messages.get(0);
        assertThat(first.getXid()).isNull();
        assertThat(first.getCommitTime()).isNull();
        assertThat(first.getCommitLsn()).isEqualTo(first.getLsn());
        assertThat(first.getTable()).isNull();
        assertThat(lsnDiff(insert.getCommitLsn(), first.getCommitLsn())).isPositive();
        assertThat(lsnDiff(messages.get(4).getCommitLsn(), messages.get(3).getCommitLsn())).isPositive();

        Received.Batch batch = received.batches().stream()
                .filter(b -> b.events().get(0).getOp().equals("message")).findFirst().orElseThrow();
        assertThat(batch.header(PgReplicationConstants.TABLE)).isEqualTo("messages");
        assertThat(batch.headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of());
        assertThat(((RelationMetadata) batch.headers().get(PgReplicationConstants.RELATION)).columns()).isEmpty();
        assertThat(batch.json()).contains("{\"op\":\"message\",\"schema\":null,\"table\":null,\"lsn\":\""
                                          + first.getLsn() + "\",\"commitLsn\":\"" + first.getLsn()
                                          + "\",\"xid\":null,\"commitTime\":null,\"key\":null,\"before\":null,"
                                          + "\"after\":null,\"prefix\":\"audit\",\"content\":\""
                                          + Base64.getEncoder().encodeToString("first".getBytes(StandardCharsets.UTF_8))
                                          + "\",\"transactional\":false}");
        // the last, non-transactional message is confirmed once delivered
        await().until(() -> lsnDiff(confirmed(), messages.get(4).getLsn()) >= 0);
    }

    @Test
    void aRouteFailingOnANonTransactionalMessageHoldsTheSlotBeforeItUntilItIsDelivered() throws Exception {
        String t = TestDatabase.uniqueName("msgfail");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        AtomicBoolean sinkUp = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        Received delivered = new Received();
        start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + t + "&messages=true&" + FAST)).process(e -> {
                    boolean message = e.getIn().getHeader(PgReplicationConstants.TABLE).equals("messages");
                    if (message && !sinkUp.get()) {
                        failures.incrementAndGet();
                        throw new IllegalStateException("message sink down");
                    }
                }).process(delivered);
            }
        });
        awaitStreaming();
        db.execute("INSERT INTO " + t + " VALUES (1)");
        await().until(() -> delivered.eventCount() == 1);
        String beforeMessage = db.queryString("SELECT pg_current_wal_lsn()::text");
        String messageLsn = db.queryString("SELECT pg_logical_emit_message(false, 'audit', 'must arrive')::text");
        db.execute("INSERT INTO " + t + " VALUES (2)");

        await().until(() -> failures.get() >= 2);
        // neither the message nor the transaction after it is confirmed while the message keeps failing
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(10))
                .until(() -> lsnDiff(confirmed(), beforeMessage) <= 0);
        sinkUp.set(true);
        await().until(() -> delivered.events().stream().anyMatch(e -> "message".equals(e.getOp())));
        ChangeEvent two = delivered.events().stream().filter(e -> "insert".equals(e.getOp()))
                .filter(e -> e.getAfter().get("id").equals(2)).findFirst().orElseThrow();
        await().until(() -> lsnDiff(confirmed(), two.getCommitLsn()) > 0);
        ChangeEvent message = delivered.events().stream().filter(e -> "message".equals(e.getOp())).findFirst()
                .orElseThrow();
        assertThat(message.getLsn()).isEqualTo(db.queryString("SELECT '" + messageLsn + "'::pg_lsn::text"));
        assertThat(text(message)).isEqualTo("must arrive");
    }

    @Test
    void aTransactionWithAReplicationOriginIsDeliveredNormally() throws Exception {
        String t = TestDatabase.uniqueName("origin");
        String origin = TestDatabase.uniqueName("orig");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY)",
                "SELECT pg_replication_origin_create('" + origin + "')");
        String witness = slot + "_w";
        try {
            Received received = stream("tables=" + t + "&" + FAST);
            // a second slot on the same publication shows what pgoutput sent
            db.execute("SELECT pg_create_logical_replication_slot('" + witness + "', 'pgoutput')");
            // Commits of this session carry the origin, so pgoutput sends an Origin message after Begin.
            db.execute("SELECT pg_replication_origin_session_setup('" + origin + "')",
                    "BEGIN; SELECT pg_replication_origin_xact_setup('0/AB', now()); INSERT INTO " + t
                    + " VALUES (1); COMMIT", "SELECT pg_replication_origin_session_reset()");
            db.execute("INSERT INTO " + t + " VALUES (2)");
            await().until(() -> received.eventCount() == 2);
            assertThat(received.events()).extracting(e -> e.getAfter().get("id")).containsExactly(1, 2);
            assertThat(db.queryString("SELECT count(*) FROM pg_logical_slot_peek_binary_changes('" + witness
                                      + "', NULL, NULL, 'proto_version', '1', 'publication_names', '" + publication
                                      + "') WHERE get_byte(data, 0) = ascii('O')"))
                    .as("Origin messages in the stream").isEqualTo("1");
        } finally {
            db.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                       + witness + "'", "SELECT pg_replication_origin_drop('" + origin + "')");
        }
    }

    @Test
    void typeMessagesNameEnumAndCompositeColumnsInTheRelationHeader() throws Exception {
        String t = TestDatabase.uniqueName("typed");
        String mood = TestDatabase.uniqueName("mood");
        String pair = TestDatabase.uniqueName("pair");
        db.execute("CREATE TYPE " + mood + " AS ENUM ('sad', 'happy')", "CREATE TYPE " + pair + " AS (a int, b text)",
                "CREATE TABLE " + t + " (id int PRIMARY KEY, m " + mood + ", p " + pair + ")");
        Received received = stream("tables=" + t + "&" + FAST);
        db.execute("INSERT INTO " + t + " VALUES (1, 'happy', ROW(1, 'x'))");
        await().until(() -> received.eventCount() == 1);
        RelationMetadata relation = (RelationMetadata) received.batches().get(0).headers()
                .get(PgReplicationConstants.RELATION);
        // Type messages (sent for non-built-in types before the Relation) give the names
        assertThat(relation.columns()).extracting(c -> c.name() + ":" + c.typeName())
                .containsExactly("id:integer", "m:public." + mood, "p:public." + pair);
        assertThat(received.events().get(0).getAfter()).containsEntry("m", "happy").containsEntry("p", "(1,x)");
    }
}
