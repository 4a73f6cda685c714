package io.pgreplication.camel.event;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.pgoutput.TupleData;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.value.PgType;
import io.pgreplication.camel.value.TypeInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Binary ('b') and text ('t') tuple values of the same row give the same event; enum types come from the lookup. */
class EventAssemblerValuesTest {

    private static final int MOOD = 16500;

    private final List<ChangeEvent> events = new ArrayList<>();
    private final EventAssembler assembler = new EventAssembler(TableFilter.ALL, IncludeColumns.ALL,
            oid -> List.of(), oid -> new TypeInfo(oid, "public", "mood", 'e', 'E', 0, 0, ',', true), new EventAssembler.Listener() {
                public void onChange(ChangeEvent event, TableShape shape, long transaction, long bytes) {
                    events.add(event);
                }

                public void onCommit(long transaction, long endLsn) {
                }
            });

    @Test
    void binaryAndTextTuplesOfTheSameRowGiveTheSameEvent() {
        assembler.accept(new PgOutputMessage.Relation(0, 42, "public", "t", (byte) 'd', List.of(
                new PgOutputMessage.Column(true, "id", PgType.INT4.oid(), -1),
                new PgOutputMessage.Column(false, "tags", PgType.TEXT_ARRAY.oid(), -1),
                new PgOutputMessage.Column(false, "mood", MOOD, -1))), 0);
        assembler.accept(new PgOutputMessage.Begin(100, 0, 7), 90);
        // int4send(5), array_send('{a,NULL}'::text[]) and enum_send('happy'), captured from PostgreSQL 15.
        assembler.accept(new PgOutputMessage.Insert(0, 42, tuple(TupleData.BINARY, "00000005",
                "00000001000000010000001900000002000000010000000161ffffffff", "6861707079")), 91);
        assembler.accept(new PgOutputMessage.Insert(0, 42, tuple(TupleData.TEXT, "35", "7b612c4e554c4c7d",
                "6861707079")), 92);

        assertThat(events).hasSize(2);
        Map<String, Object> binary = events.get(0).getAfter();
        assertThat(binary).containsEntry("id", 5).containsEntry("mood", "happy");
        assertThat(binary.get("tags")).isEqualTo(Arrays.asList("a", null));
        assertThat(events.get(1).getAfter()).isEqualTo(binary);
    }

    private static TupleData tuple(byte kind, String... hex) {
        byte[] kinds = new byte[hex.length];
        byte[][] values = new byte[hex.length][];
        for (int i = 0; i < hex.length; i++) {
            kinds[i] = kind;
            values[i] = HexFormat.of().parseHex(hex[i]);
        }
        return new TupleData(kinds, values);
    }
}
