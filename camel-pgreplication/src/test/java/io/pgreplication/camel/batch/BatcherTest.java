package io.pgreplication.camel.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.event.TableDefinition;
import io.pgreplication.camel.event.TableShape;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.pgoutput.TupleData;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.value.TypeLookup;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class BatcherTest {

    /** maxBatchBytes of the batcher under test. */
    private static final long MAX_BYTES = 100;

    private long now;
    private final FlushTracker tracker = new FlushTracker(0);
    private final Batcher batcher = new Batcher(3, MAX_BYTES, Duration.ofNanos(100), () -> now, tracker);
    private final List<Batch> closed = new ArrayList<>();
    private final TableShape orders = shape(1, "orders");
    private final TableShape items = shape(2, "items");

    @Test
    void closesABatchWhenItHoldsBatchSizeChanges() {
        for (int i = 0; i < 7; i++) {
            batcher.onChange(event(orders, i), orders, 1, 1);
        }
        assertThat(closed()).extracting(b -> b.events().size()).containsExactly(3, 3);
        assertThat(batcher.buffered()).isEqualTo(1);
    }

    @Test
    void closesAPartialBatchWhenItsOldestChangeReachesTheTimeout() {
        batcher.onChange(event(orders, 1), orders, 1, 1);
        now = 60;
        batcher.onChange(event(orders, 2), orders, 1, 1);
        batcher.closeDue();
        assertThat(closed()).isEmpty();
        assertThat(batcher.nanosUntilDue()).isEqualTo(40);
        now = 100;
        batcher.closeDue();
        assertThat(closed()).hasSize(1);
        assertThat(closed().get(0).events()).hasSize(2);
        assertThat(batcher.nanosUntilDue()).isEqualTo(-1);
    }

    @Test
    void closeAllSendsEveryOpenBatchOldestFirst() {
        batcher.onChange(event(items, 1), items, 1, 1);
        batcher.onChange(event(orders, 2), orders, 1, 1);
        batcher.onChange(event(items, 3), items, 1, 1);
        batcher.closeAll();
        assertThat(closed()).extracting(b -> b.relation().table()).containsExactly("items", "orders");
        assertThat(closed().get(0).events()).hasSize(2);
        assertThat(batcher.buffered()).isZero();
        assertThat(batcher.nanosUntilDue()).isEqualTo(-1);
    }

    @Test
    void keepsOneBatchPerTableInCommitOrder() {
        batcher.onChange(event(orders, 1), orders, 1, 1);
        batcher.onChange(event(items, 1), items, 1, 1);
        batcher.onChange(event(orders, 2), orders, 2, 1);
        batcher.onChange(event(orders, 3), orders, 2, 1);
        assertThat(closed()).hasSize(1);
        assertThat(closed().get(0).relation().table()).isEqualTo("orders");
        assertThat(closed().get(0).events()).extracting(e -> e.getAfter().get("id")).containsExactly(1, 2, 3);
    }

    @Test
    void aNewShapeOfATableClosesTheBatchOfTheOldShape() {
        batcher.onChange(event(orders, 1), orders, 1, 1);
        TableShape altered = shape(1, "orders");
        batcher.onChange(event(altered, 2), altered, 2, 1);
        assertThat(closed()).hasSize(1);
        assertThat(closed().get(0).events()).hasSize(1);
    }

    @Test
    void aNewShapeClosesOnlyItsOwnTablesBatchAmongManyOpenOnes() {
        Batcher wide = new Batcher(1000, 1_000_000, Duration.ofNanos(100), () -> now, tracker);
        List<TableShape> tables = new ArrayList<>();
        for (int table = 0; table < 50; table++) {
            tables.add(shape(100 + table, "t" + table));
            wide.onChange(event(tables.get(table), table), tables.get(table), 1, 1);
        }
        TableShape altered = shape(125, "t25");
        wide.onChange(event(altered, 99), altered, 2, 1);
        assertThat(closed(wide)).extracting(b -> b.relation().table()).containsExactly("t25");
        // the table's new batch is open again; every other table still has its own
        wide.onChange(event(tables.get(0), 100), tables.get(0), 2, 1);
        wide.closeAll();
        assertThat(closed(wide)).hasSize(51);
        assertThat(closed.get(closed.size() - 1).relation().table()).isEqualTo("t25");
        assertThat(closed.get(1).events()).hasSize(2);
    }

    @Test
    void closeDueClosesExactlyTheBatchesOldEnoughOldestFirst() {
        Batcher wide = new Batcher(1000, 1_000_000, Duration.ofNanos(100), () -> now, tracker);
        for (int table = 0; table < 10; table++) {
            now = table * 10;
            TableShape shape = shape(100 + table, "t" + table);
            wide.onChange(event(shape, table), shape, 1, 1);
        }
        now = 135; // t0 (opened at 0) .. t3 (opened at 30) are 100 old or more
        wide.closeDue();
        assertThat(closed(wide)).extracting(b -> b.relation().table()).containsExactly("t0", "t1", "t2", "t3");
        assertThat(wide.nanosUntilDue()).isEqualTo(5); // t4, opened at 40
        assertThat(wide.buffered()).isEqualTo(6);
    }

    @Test
    void boundsChangesWaitingInOpenBatchesAcrossManyTables() {
        for (int table = 0; table < 100; table++) {
            TableShape shape = shape(100 + table, "t" + table);
            batcher.onChange(event(shape, table), shape, 1, 1);
            assertThat(batcher.buffered()).isLessThanOrEqualTo(3 * Batcher.MAX_OPEN_FACTOR);
        }
        // the oldest open batches were closed first
        assertThat(closed().get(0).relation().table()).isEqualTo("t0");
    }

    @Test
    void closesABatchBeforeAChangeWouldTakeItsValuesPastMaxBatchBytes() {
        batcher.onChange(event(orders, 1), orders, 1, 40);
        batcher.onChange(event(orders, 2), orders, 1, 40);
        batcher.onChange(event(orders, 3), orders, 1, 40);

        assertThat(closed()).singleElement().satisfies(b -> {
            assertThat(b.events()).extracting(e -> e.getAfter().get("id")).containsExactly(1, 2);
            assertThat(b.bytes()).isEqualTo(80);
        });
        assertThat(batcher.buffered()).isEqualTo(1);
        assertThat(batcher.bufferedBytes()).isEqualTo(40);
    }

    @Test
    void aBatchThatReachesMaxBatchBytesExactlyClosesAtOnce() {
        batcher.onChange(event(orders, 1), orders, 1, 60);
        batcher.onChange(event(orders, 2), orders, 1, 40);

        assertThat(closed()).singleElement().satisfies(b -> assertThat(b.bytes()).isEqualTo(MAX_BYTES));
        assertThat(batcher.bufferedBytes()).isZero();
    }

    @Test
    void aSingleChangeLargerThanMaxBatchBytesTravelsAlone() {
        batcher.onChange(event(orders, 1), orders, 1, 10);
        batcher.onChange(event(orders, 2), orders, 1, 250);
        batcher.onChange(event(orders, 3), orders, 1, 10);

        assertThat(closed()).extracting(b -> b.events().size(), Batch::bytes)
                .containsExactly(tuple(1, 10L), tuple(1, 250L));
        assertThat(batcher.buffered()).isEqualTo(1);
    }

    @Test
    void openBatchesOfAllTablesHoldAtMostMaxBatchBytesTogether() {
        for (int table = 0; table < 10; table++) {
            TableShape shape = shape(100 + table, "t" + table);
            batcher.onChange(event(shape, table), shape, 1, 30);
            assertThat(batcher.bufferedBytes()).isLessThanOrEqualTo(MAX_BYTES);
        }
        // the oldest open batches were closed first, each whole
        assertThat(closed()).extracting(b -> b.relation().table()).startsWith("t0", "t1", "t2");
        assertThat(closed()).allSatisfy(b -> assertThat(b.bytes()).isEqualTo(30));
        assertThat(batcher.bufferedBytes()).isEqualTo(90);
    }

    @Test
    void droppedBatchesAreForgottenAndHoldTheConfirmedPositionBack() {
        batcher.onChange(event(orders, 1), orders, 1, 60);
        batcher.onChange(event(items, 2), items, 1, 60);
        batcher.onCommit(1, 500);

        batcher.dropAll();

        assertThat(batcher.buffered()).isZero();
        assertThat(batcher.bufferedBytes()).isZero();
        assertThat(batcher.hasClosed()).isFalse();
        assertThat(tracker.confirmed()).as("their tickets stay unfinished").isZero();
    }

    @Test
    void registersEachBatchWithTheTrackerUntilItsTicketCompletes() {
        batcher.onChange(event(orders, 1), orders, 1, 1);
        tracker.committed(1, 500);
        assertThat(tracker.confirmed()).isZero();
        now = 100;
        batcher.closeDue();
        closed().get(0).ticket().complete();
        assertThat(tracker.confirmed()).isEqualTo(500);
    }

    @Test
    void handsClosedBatchesBackOldestFirstAndOnlyOnce() {
        batcher.onChange(event(orders, 1), orders, 1, 1);
        batcher.onChange(event(items, 2), items, 1, 1);
        assertThat(batcher.hasClosed()).isFalse();
        batcher.closeAll();
        assertThat(batcher.hasClosed()).isTrue();
        assertThat(batcher.nextClosed().relation().table()).isEqualTo("orders");
        assertThat(batcher.nextClosed().relation().table()).isEqualTo("items");
        assertThat(batcher.nextClosed()).isNull();
        assertThat(batcher.hasClosed()).isFalse();
    }

    @Test
    void passesCommitsOnToTheTracker() {
        batcher.onChange(event(orders, 1), orders, 1, 1);
        batcher.onCommit(1, 500);
        batcher.closeAll();
        assertThat(tracker.confirmed()).isZero();
        batcher.nextClosed().ticket().complete();
        assertThat(tracker.confirmed()).isEqualTo(500);
    }

    /** The batches closed so far, oldest first, as the read loop takes them. */
    private List<Batch> closed() {
        return closed(batcher);
    }

    /** Every batch {@code from} has closed so far, oldest first. */
    private List<Batch> closed(Batcher from) {
        Batch batch;
        while ((batch = from.nextClosed()) != null) {
            closed.add(batch);
        }
        return closed;
    }

    private static TableShape shape(int oid, String name) {
        PgOutputMessage.Relation relation = new PgOutputMessage.Relation(0, oid, "public", name, (byte) 'd',
                List.of(new PgOutputMessage.Column(true, "id", 23, -1)));
        return new TableShape(TableDefinition.of(relation, Map.of(), List.of()), true, null, TypeLookup.NONE);
    }

    /** Builds an event the way the stream does: through the assembler. */
    private static ChangeEvent event(TableShape shape, int id) {
        List<ChangeEvent> out = new ArrayList<>();
        EventAssembler assembler = new EventAssembler(TableFilter.ALL, oid -> List.of(), new EventAssembler.Listener() {
            public void onChange(ChangeEvent event, TableShape s, long transaction, long bytes) {
                out.add(event);
            }

            public void onCommit(long transaction, long endLsn) {
            }
        });
        PgOutputMessage.Relation relation = new PgOutputMessage.Relation(0, shape.metadata().oid(), "public",
                shape.metadata().table(), (byte) 'd', List.of(new PgOutputMessage.Column(true, "id", 23, -1)));
        assembler.accept(relation, 0);
        assembler.accept(new PgOutputMessage.Begin(1000, 0, 7), 900);
        assembler.accept(new PgOutputMessage.Insert(0, shape.metadata().oid(),
                new TupleData(new byte[] {'t'}, new byte[][] {Integer.toString(id).getBytes()})), 950);
        return out.get(0);
    }
}
