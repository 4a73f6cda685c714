package io.pgreplication.camel.event;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.pgoutput.TupleData;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeLookup;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Messages and the includeColumns projection, through the assembler as the stream drives it. */
class EventAssemblerTest {

    private final List<String> calls = new ArrayList<>();
    private final List<ChangeEvent> events = new ArrayList<>();
    private final List<Long> sizes = new ArrayList<>();

    private EventAssembler assembler(IncludeColumns include) {
        return assembler(include, true);
    }

    private EventAssembler assembler(IncludeColumns include, boolean deliverMessages) {
        return new EventAssembler(TableFilter.ALL, include, oid -> List.of(), TypeLookup.NONE, deliverMessages,
                new EventAssembler.Listener() {
                    public void onChange(ChangeEvent event, TableShape shape, long transaction, long bytes) {
                        events.add(event);
                        sizes.add(bytes);
                        calls.add("change " + shape.metadata().qualifiedName() + " t" + transaction);
                    }

                    public void onCommit(long transaction, long endLsn) {
                        calls.add("commit t" + transaction + " at " + endLsn);
                    }

                    public void onComponentMessage(byte[] content, boolean transactional, long lsn,
                                                   long transaction) {
                        calls.add("own " + new String(content, StandardCharsets.UTF_8) + " t" + transaction + " at "
                                  + lsn + (transactional ? "" : " non-transactional"));
                    }
                });
    }

    @Test
    void messagesWithTheComponentsPrefixAreNeverMessageEventsEvenWithMessagesOn() {
        EventAssembler a = assembler(IncludeColumns.ALL, true);
        a.accept(new PgOutputMessage.Begin(500, 0, 7), 400);
        a.accept(new PgOutputMessage.LogicalMessage(0, true, 450, "pgreplication", "r".getBytes(StandardCharsets.UTF_8)),
                450);
        a.accept(new PgOutputMessage.Commit((byte) 0, 500, 520, 0), 520);
        a.accept(new PgOutputMessage.LogicalMessage(0, false, 600, "pgreplication",
                "n".getBytes(StandardCharsets.UTF_8)), 600);

        assertThat(calls).containsExactly("own r t1 at 450", "commit t1 at 520", "own n t0 at 600 non-transactional");
        assertThat(events).isEmpty();
    }

    @Test
    void withMessagesOffOtherPrefixesAreDroppedAndTheOwnStillArrives() {
        EventAssembler a = assembler(IncludeColumns.ALL, false);
        a.accept(new PgOutputMessage.Begin(500, 0, 7), 400);
        a.accept(new PgOutputMessage.LogicalMessage(0, true, 440, "audit", new byte[] {1}), 440);
        a.accept(new PgOutputMessage.LogicalMessage(0, true, 450, "pgreplication", "r".getBytes(StandardCharsets.UTF_8)),
                450);
        a.accept(new PgOutputMessage.Commit((byte) 0, 500, 520, 0), 520);
        a.accept(new PgOutputMessage.LogicalMessage(0, false, 600, "audit", new byte[] {2}), 600);

        assertThat(calls).containsExactly("own r t1 at 450", "commit t1 at 520");
        assertThat(events).isEmpty();
        assertThat(a.inTransaction()).isFalse();
    }

    private static TupleData tuple(String... texts) {
        byte[] kinds = new byte[texts.length];
        byte[][] values = new byte[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            kinds[i] = texts[i] == null ? TupleData.NULL : TupleData.TEXT;
            values[i] = texts[i] == null ? null : texts[i].getBytes(StandardCharsets.UTF_8);
        }
        return new TupleData(kinds, values);
    }

    @Test
    void aNonTransactionalMessageIsATransactionOfItsOwnEndingAtItsLsn() {
        EventAssembler a = assembler(IncludeColumns.ALL);
        a.accept(new PgOutputMessage.Begin(500, 0, 7), 400);
        a.accept(new PgOutputMessage.LogicalMessage(0, true, 450, "p", new byte[] {1}), 450);
        a.accept(new PgOutputMessage.Commit((byte) 0, 500, 520, 0), 520);
        a.accept(new PgOutputMessage.LogicalMessage(0, false, 600, "p", new byte[] {2}), 600);

        assertThat(calls).containsExactly("change messages t1", "commit t1 at 520", "change messages t2",
                "commit t2 at 600");
        assertThat(events.get(0).getXid()).isEqualTo(7L);
        assertThat(events.get(0).commitLsnValue()).isEqualTo(500);
        assertThat(events.get(1).getXid()).isNull();
        assertThat(events.get(1).commitLsnValue()).isEqualTo(600);
        assertThat(a.inTransaction()).isFalse();
    }

    @Test
    void includeColumnsDecodesOnlyListedColumnsAndKeepsTheKeyInKey() {
        EventAssembler a = assembler(IncludeColumns.of(Map.of(new TableSpec("public", "orders"), List.of("status"))));
        a.accept(new PgOutputMessage.Relation(0, 42, "public", "orders", (byte) 'd', List.of(
                new PgOutputMessage.Column(true, "id", 23, -1), new PgOutputMessage.Column(false, "status", 25, -1),
                new PgOutputMessage.Column(false, "secret", 25, -1))), 0);
        a.accept(new PgOutputMessage.Begin(500, 0, 7), 400);
        a.accept(new PgOutputMessage.Insert(0, 42, tuple("1", "new", "x")), 410);
        a.accept(new PgOutputMessage.Delete(0, 42, tuple("1", null, null), null), 420);

        assertThat(events.get(0).getAfter()).isEqualTo(Map.of("status", "new"));
        assertThat(events.get(0).getKey()).isEqualTo(Map.of("id", 1));
        assertThat(events.get(1).getKey()).isEqualTo(Map.of("id", 1));
        assertThat(events.get(1).getBefore()).isEmpty();
    }

    @Test
    void aChangeWeighsTheWireLengthOfTheValuesItWasDecodedFromOnce() {
        EventAssembler a = assembler(IncludeColumns.of(Map.of(new TableSpec("public", "docs"), List.of("body"))));
        a.accept(new PgOutputMessage.Relation(0, 43, "public", "docs", (byte) 'f', List.of(
                new PgOutputMessage.Column(true, "id", 23, -1), new PgOutputMessage.Column(false, "body", 25, -1),
                new PgOutputMessage.Column(false, "skipped", 25, -1))), 0);
        a.accept(new PgOutputMessage.Begin(500, 0, 7), 400);
        a.accept(new PgOutputMessage.Insert(0, 43, tuple("12", "hello", "not decoded")), 410);
        a.accept(new PgOutputMessage.Update(0, 43, null, tuple("12", "hello", "x"), tuple("12", "hello world", null)),
                420);
        a.accept(new PgOutputMessage.Delete(0, 43, null, tuple("12", null, "x")), 430);
        a.accept(new PgOutputMessage.LogicalMessage(0, true, 440, "p", new byte[] {1, 2, 3}), 440);

        // id and body count, the column includeColumns leaves out is never decoded and does not; NULLs weigh nothing.
        assertThat(sizes).containsExactly(2L + 5, (2L + 5) + (2 + 11), 2L, 3L);
    }
}
