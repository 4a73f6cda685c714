package io.pgreplication.camel.session;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.batch.Batcher;
import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.pgoutput.TupleData;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeLookup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream's side of online backfills, on decoded pgoutput messages through the real assembler, batcher and flush
 * tracker: what is handed out, held, dropped and released, and how far the slot may be confirmed. The worker's side
 * is played by the test through {@link Backfill} (consistent point, all offered, end).
 */
class BackfillsTest {

    private static final int A = 16401;
    private static final int B = 16402;
    private static final int C = 16403;
    private static final TableFilter A_AND_B = TableFilter.of(List.of(new TableSpec("public", "a"),
            new TableSpec("public", "b")));

    private final FlushTracker tracker = new FlushTracker(0);
    private final Batcher batcher = new Batcher(1000, 64L << 20, Duration.ofSeconds(1), () -> 0, tracker);
    private final List<Backfill> launched = new ArrayList<>();
    private Backfills backfills;
    private EventAssembler assembler;
    private long nextLsn = 0x1000;

    @BeforeEach
    void stream() {
        gate(1000, 64L << 20);
    }

    private void gate(int heldLimit, long heldBytesLimit) {
        backfills = new Backfills("s1", batcher, tracker, A_AND_B, BackfillsTest::oidOf, launched::add,
                new StatusBoard(), heldLimit, heldBytesLimit);
        assembler = new EventAssembler(A_AND_B, IncludeColumns.ALL, oid -> List.of(), TypeLookup.NONE, false,
                backfills);
        for (int oid : new int[] {A, B, C}) {
            assembler.accept(new PgOutputMessage.Relation(0, oid, "public", name(oid), (byte) 'd',
                    List.of(new PgOutputMessage.Column(true, "id", 23, -1))), 0);
        }
    }

    @Test
    void changesBeforeTheRequestGoOutFirstAndTheTablesLaterChangesAreHeldWhileOtherTablesFlow() {
        commit(insert(B, 1));
        commit(request("s1", "b"));

        assertThat(drain()).extracting(this::ids).containsExactly(List.of("b1"));
        backfills.step();
        assertThat(launched).singleElement().satisfies(b -> assertThat(b.tables())
                .isEqualTo(java.util.Map.of(B, new TableSpec("public", "b"))));

        commit(insert(B, 2));
        commit(insert(A, 1));
        assertThat(drain()).extracting(this::ids).containsExactly(List.of("a1"));
    }

    @Test
    void changesCommittedBeforeTheConsistentPointAreDroppedAndTheRestFollowTheSnapshotInOrder() {
        commit(request("s1", "b"));
        drain();
        backfills.step();
        Backfill backfill = launched.get(0);
        commit(insert(B, 2));
        long point = nextLsn + 0x100;
        nextLsn = point + 0x100;
        commit(insert(B, 3));
        assertThat(drain()).isEmpty();

        backfill.exported(Lsn.of(point));
        backfills.step();
        commit(insert(B, 4));
        assertThat(drain()).as("held until every snapshot row is out").isEmpty();

        backfill.allOffered();
        backfills.step();
        assertThat(drain()).extracting(this::ids).containsExactly(List.of("b3"), List.of("b4"));
        commit(insert(B, 5));
        assertThat(drain()).extracting(this::ids).containsExactly(List.of("b5"));
        assertThat(backfill.dropped).as("b2, committed before the point").isEqualTo(1);
    }

    @Test
    void aChangeReadAfterThePointIsKnownButCommittedBeforeItIsDroppedAtOnce() {
        commit(request("s1", "b"));
        drain();
        backfills.step();
        Backfill backfill = launched.get(0);
        long point = nextLsn + 0x1000;
        backfill.exported(Lsn.of(point));
        backfills.step();

        commit(insert(B, 2)); // the stream is behind the point: this transaction is in the snapshot
        backfill.allOffered();
        backfills.step();

        assertThat(drain()).isEmpty();
        assertThat(backfill.dropped).isEqualTo(1);
    }

    @Test
    void theSlotIsNotConfirmedPastTheRequestUntilTheBackfillCompleted() {
        long beforeRequest = commit(insert(A, 1));
        commit(request("s1", "b"));
        completeAll(drain());
        backfills.step();
        Backfill backfill = launched.get(0);
        commit(insert(A, 2));
        long last = commit(insert(A, 3));
        completeAll(drain());
        assertThat(tracker.confirmed()).isEqualTo(beforeRequest);

        backfill.exported(Lsn.of(nextLsn));
        backfill.allOffered();
        backfills.step();
        assertThat(tracker.confirmed()).as("the snapshot batches may still be in routes").isEqualTo(beforeRequest);

        backfill.guard().complete();
        assertThat(tracker.confirmed()).isEqualTo(last);
    }

    @Test
    void aFailedBackfillFailsTheStreamSoTheRequestIsReadAgain() {
        long beforeRequest = commit(insert(A, 1));
        commit(request("s1", "b"));
        completeAll(drain());
        backfills.step();

        launched.get(0).failed(new IllegalStateException("cannot create the temporary slot"));
        backfills.step();

        assertThat(backfills.failure()).hasMessage("cannot create the temporary slot");
        assertThat(tracker.hasFailed()).isTrue();
        assertThat(tracker.confirmed()).isEqualTo(beforeRequest);
    }

    @Test
    void malformedRequestsThoseOfOtherSlotsAndNonTransactionalOnesAreSkipped() {
        commit(message(true, "{\"backfill\":"));
        commit(request("other_slot", "b"));
        commit(message(false, requestJson("s1", "b")));
        commit(request("s1", "c")); // outside this consumer's tables
        commit(request("s1", "no_such_table"));
        commit(insert(B, 1));

        backfills.step();
        assertThat(launched).isEmpty();
        assertThat(drain()).extracting(this::ids).containsExactly(List.of("b1"));
    }

    @Test
    void requestsRunOneAtATimeAndALaterRequestForATableTakesItsHeldChangesOver() {
        commit(request("s1", "b"));
        drain();
        backfills.step();
        Backfill first = launched.get(0);
        first.exported(Lsn.of(nextLsn));
        backfills.step();
        commit(insert(B, 2)); // after the first point: held for the first backfill
        commit(request("s1", "a", "b"));
        drain();
        backfills.step();
        assertThat(launched).as("one at a time").hasSize(1);

        first.allOffered();
        first.end();
        backfills.step();
        assertThat(drain()).as("b now waits for the second backfill").isEmpty();
        assertThat(launched).hasSize(2);
        Backfill second = launched.get(1);
        commit(insert(B, 3));
        second.exported(Lsn.of(nextLsn));
        backfills.step();
        commit(insert(B, 4));
        second.allOffered();
        backfills.step();

        assertThat(drain()).extracting(this::ids).containsExactly(List.of("b4"));
    }

    @Test
    void tooManyHeldBytesPauseTheReadingToo() {
        gate(1000, 2);
        commit(request("s1", "b"));
        drain();
        backfills.step();
        commit(insert(B, 1));
        drain();
        assertThat(backfills.mustPause()).as("one held change of one byte").isFalse();
        commit(insert(B, 2));
        drain();
        assertThat(backfills.mustPause()).isTrue();
    }

    @Test
    void tooManyHeldChangesPauseTheReadingUntilTheSnapshotIsOut() {
        gate(3, 64L << 20);
        commit(request("s1", "b"));
        drain();
        backfills.step();
        for (int id = 1; id <= 3; id++) {
            commit(insert(B, id));
        }
        drain();
        assertThat(backfills.mustPause()).isTrue();

        launched.get(0).exported(Lsn.of(1));
        launched.get(0).allOffered();
        backfills.step();
        assertThat(backfills.mustPause()).isFalse();
        assertThat(drain()).extracting(this::ids).containsExactly(List.of("b1", "b2", "b3"));
    }

    // --- a tiny stream: transactions of inserts and messages, numbered LSNs

    private List<PgOutputMessage> insert(int oid, int id) {
        byte[] value = Integer.toString(id).getBytes(StandardCharsets.US_ASCII);
        return List.of(new PgOutputMessage.Insert(0, oid, new TupleData(new byte[] {TupleData.TEXT},
                new byte[][] {value})));
    }

    private List<PgOutputMessage> request(String slot, String... tables) {
        return message(true, requestJson(slot, tables));
    }

    private static String requestJson(String slot, String... tables) {
        StringBuilder json = new StringBuilder("{\"backfill\":\"r-" + String.join("-", tables) + "\",\"slot\":\""
                                               + slot + "\",\"tables\":[");
        for (int i = 0; i < tables.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"schema\":\"public\",\"table\":\"").append(tables[i])
                    .append("\"}");
        }
        return json.append("]}").toString();
    }

    private List<PgOutputMessage> message(boolean transactional, String content) {
        return List.of(new PgOutputMessage.LogicalMessage(0, transactional, nextLsn + 8, "pgreplication",
                content.getBytes(StandardCharsets.UTF_8)));
    }

    /** One transaction of {@code body}; returns its end LSN. Its commit LSN is the next number. */
    private long commit(List<PgOutputMessage> body) {
        long commitLsn = nextLsn + 0x10;
        long endLsn = commitLsn + 0x10;
        nextLsn = endLsn + 0x10;
        assembler.accept(new PgOutputMessage.Begin(commitLsn, 0, 700), commitLsn - 0x10);
        for (PgOutputMessage m : body) {
            assembler.accept(m, commitLsn - 0x8);
        }
        assembler.accept(new PgOutputMessage.Commit((byte) 0, commitLsn, endLsn, 0), endLsn);
        return endLsn;
    }

    /** Closes the open batches and takes every batch the gate hands out, as the read loop does. */
    private List<Batch> drain() {
        batcher.closeAll();
        List<Batch> out = new ArrayList<>();
        Batch b;
        while ((b = backfills.poll()) != null) {
            out.add(b);
        }
        return out;
    }

    private static void completeAll(List<Batch> batches) {
        batches.forEach(b -> b.ticket().complete());
    }

    private List<String> ids(Batch batch) {
        return batch.events().stream().map(e -> e.getTable() + e.getKey().get("id")).toList();
    }

    private static int oidOf(TableSpec table) {
        return switch (table.table()) {
            case "a" -> A;
            case "b" -> B;
            case "c" -> C;
            default -> 0;
        };
    }

    private static String name(int oid) {
        return oid == A ? "a" : oid == B ? "b" : "c";
    }
}
