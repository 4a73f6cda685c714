package io.pgreplication.camel.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.pgoutput.PgOutputMessage.Delete;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Insert;
import io.pgreplication.camel.pgoutput.PgOutputMessage.LogicalMessage;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Relation;
import io.pgreplication.camel.pgoutput.PgOutputMessage.StreamAbort;
import io.pgreplication.camel.pgoutput.PgOutputMessage.StreamCommit;
import io.pgreplication.camel.pgoutput.PgOutputMessage.StreamStart;
import io.pgreplication.camel.pgoutput.PgOutputMessage.StreamStop;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Truncate;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Type;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Update;
import org.junit.jupiter.api.Test;

import static io.pgreplication.camel.pgoutput.PgOutputFixture.asSlice;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.catalog;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.commitTime;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.decodeAll;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.lsn;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.rows;
import static org.assertj.core.api.Assertions.assertThat;

/** Streamed transactions (streaming=on|parallel), captured on PostgreSQL 17.5 with logical_decoding_work_mem=64kB. */
class PgOutputDecoderStreamingTest {

    private static final Map<String, Integer> OIDS = catalog("catalog.txt");

    @Test
    void streamedTransactionArrivesInChunksAndEndsWithStreamCommit() {
        List<PgOutputFixture.Row> rows = rows("streaming-commit.txt");
        List<PgOutputMessage> messages = decodeAll("streaming-commit.txt");

        assertThat(messages.get(0)).isEqualTo(new StreamStart(872, true));
        assertThat(messages.get(485)).isEqualTo(new StreamStop());
        assertThat(messages.get(486)).isEqualTo(new StreamStart(872, false));
        assertThat(messages.get(610)).isEqualTo(new StreamStop());
        assertThat(messages).filteredOn(m -> m instanceof Insert).hasSize(600);
        StreamCommit commit = (StreamCommit) messages.get(611);
        assertThat(commit.xid()).isEqualTo(872);
        assertThat(commit.flags()).isZero();
        assertThat(commit.commitLsn()).isEqualTo(lsn("0/1758C80"));
        assertThat(commit.endLsn()).isEqualTo(rows.get(611).lsn());
        assertThat(PgOutputTime.toInstant(commit.commitTime())).isEqualTo(commitTime(872));
    }

    @Test
    void everyChangeInsideAStreamedChunkCarriesTheTransactionsXid() {
        List<PgOutputMessage> messages = decodeAll("streaming-commit.txt");
        int bulk = OIDS.get("bulk");

        assertThat(messages.get(1)).isEqualTo(new Type(872, OIDS.get("mood"), "cap", "mood"));
        assertThat(((Relation) messages.get(2)).xid()).isEqualTo(872);
        assertThat(((Relation) messages.get(2)).oid()).isEqualTo(bulk);
        Insert first = (Insert) messages.get(3);
        assertThat(first.xid()).isEqualTo(872);
        assertThat(first.newTuple()).hasToString("TupleData[t:'1', t:'ok']");
        Update update = (Update) messages.get(605);
        assertThat(update.xid()).isEqualTo(872);
        assertThat(update.newTuple()).hasToString("TupleData[t:'1', t:'happy']");
        Delete delete = (Delete) messages.get(606);
        assertThat(delete.xid()).isEqualTo(872);
        assertThat(delete.oldKey()).hasToString("TupleData[t:'2', n]");
        assertThat(messages.get(607)).isEqualTo(new LogicalMessage(872, true, lsn("0/17589D8"), "cap.stream",
                "streamed".getBytes(StandardCharsets.UTF_8)));
        assertThat(((Relation) messages.get(608)).name()).isEqualTo("bulk_side");
        assertThat(messages.get(609)).isEqualTo(new Truncate(872, new int[] {OIDS.get("bulk_side")}, false, false));
    }

    @Test
    void changesOfASubtransactionCarryTheSubtransactionsXid() {
        List<PgOutputMessage> messages = decodeAll("streaming-abort.txt");

        // After ROLLBACK TO SAVEPOINT the row goes into a new subtransaction (875) of top-level 873.
        assertThat(messages.get(971)).isEqualTo(new StreamStart(873, false));
        assertThat(messages.get(972)).isEqualTo(new Type(875, OIDS.get("mood"), "cap", "mood"));
        Insert insert = (Insert) messages.get(974);
        assertThat(insert.xid()).isEqualTo(875);
        assertThat(insert.newTuple()).hasToString("TupleData[t:'4001', t:'ok']");
    }

    @Test
    void rollbackToSavepointAbortsOnlyTheSubtransaction() {
        List<PgOutputFixture.Row> rows = rows("streaming-abort.txt");
        List<PgOutputMessage> messages = decodeAll("streaming-abort.txt");

        // Without streaming=parallel there is no abort LSN or time on the wire.
        assertThat(messages.get(970)).isEqualTo(new StreamAbort(873, 874, 0L, 0L));
        assertThat(rows.get(970).xid()).isEqualTo(874);
        StreamCommit commit = (StreamCommit) messages.get(976);
        assertThat(commit.xid()).isEqualTo(873);
        assertThat(commit.endLsn()).isEqualTo(rows.get(976).lsn());
    }

    @Test
    void rolledBackStreamedTransactionEndsWithAStreamAbortOfItself() {
        List<PgOutputMessage> messages = decodeAll("streaming-abort.txt");

        assertThat(messages.get(977)).isEqualTo(new StreamStart(876, true));
        assertThat(messages.get(1462)).isEqualTo(new StreamStop());
        assertThat(messages.get(1463)).isEqualTo(new StreamAbort(876, 876, 0L, 0L));
        assertThat(messages).hasSize(1464);
    }

    @Test
    void parallelStreamingAddsTheAbortLsnAndTime() {
        List<PgOutputFixture.Row> rows = rows("streaming-parallel-abort.txt");
        List<PgOutputMessage> messages = decodeAll("streaming-parallel-abort.txt");

        assertThat(messages).extracting(m -> (char) m.type()).containsExactly('S', 'E', 'A');
        StreamAbort abort = (StreamAbort) messages.get(2);
        assertThat(abort.xid()).isEqualTo(877);
        assertThat(abort.subXid()).isEqualTo(877);
        assertThat(abort.abortLsn()).isEqualTo(rows.get(2).lsn()).isEqualTo(lsn("0/17988C0"));
        // Aborts have no commit timestamp, but this one happened after the commit of 873 and before that of 878.
        assertThat(PgOutputTime.toInstant(abort.abortTime())).isAfter(commitTime(873)).isBefore(commitTime(878));
    }

    @Test
    void decoderKnowsWhenItIsInsideAStreamedChunk() {
        List<PgOutputFixture.Row> rows = rows("streaming-commit.txt");
        PgOutputDecoder decoder = new PgOutputDecoder();

        assertThat(decoder.inStreamedTransaction()).isFalse();
        decoder.decode(asSlice(rows.get(0).bytes()), rows.get(0).lsn());
        assertThat(decoder.inStreamedTransaction()).isTrue();
        decoder.decode(asSlice(rows.get(485).bytes()), rows.get(485).lsn());
        assertThat(decoder.inStreamedTransaction()).isFalse();
    }
}
