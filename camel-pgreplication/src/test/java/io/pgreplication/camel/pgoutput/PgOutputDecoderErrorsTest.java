package io.pgreplication.camel.pgoutput;

import static io.pgreplication.camel.pgoutput.PgOutputFixture.asSlice;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.lsn;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgreplication.camel.pgoutput.PgOutputMessage.Insert;
import io.pgreplication.camel.pgoutput.PgOutputMessage.StreamAbort;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Malformed input fails loudly, naming the message type, offset and LSN; the caller's buffer is left alone. */
class PgOutputDecoderErrorsTest {

    private static final List<String> FIXTURES = List.of("binary.txt", "dml-default.txt", "dml-full.txt",
            "messages.txt", "origin.txt", "pg15-proto1.txt", "streaming-abort.txt", "streaming-commit.txt",
            "streaming-parallel-abort.txt", "streaming-prepare.txt", "toast-unchanged.txt", "truncate.txt",
            "two-phase.txt", "type.txt");

    private final PgOutputDecoder decoder = new PgOutputDecoder();

    @Test
    void unknownMessageTypeFailsNamingTheTypeByteOffsetAndLsn() {
        PgOutputFormatException error = catchThrowableOfType(PgOutputFormatException.class,
                () -> decoder.decode(ByteBuffer.wrap(new byte[] {'Z', 0, 0}), lsn("16/B374D848")));

        assertThat(error).hasMessage("unknown message type (message type 'Z' 0x5A, offset 0, LSN 16/B374D848)");
        assertThat(error.messageType()).isEqualTo((byte) 'Z');
        assertThat(error.offset()).isZero();
        assertThat(error.lsn()).isEqualTo(lsn("16/B374D848"));
    }

    @Test
    void emptyPayloadFails() {
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.allocate(0), 7L))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessage("empty payload (message type 0x00, offset 0, LSN 0/7)");
    }

    @Test
    void truncatedInsertFailsNamingTheFieldItWasReading() {
        PgOutputFixture.Row insert = rows("dml-default.txt").get(2);
        byte[] cut = Arrays.copyOf(insert.bytes(), insert.bytes().length - 2); // inside the value "first"

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(cut), insert.lsn()))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessage("truncated: column value needs 5 bytes but 4 are left (message type 'I' 0x49, offset 19, "
                            + "LSN 0/1742258)");
    }

    @Test
    void everyTruncationOfEveryCapturedMessageFails() {
        int checked = 0;
        for (String file : FIXTURES) {
            for (PgOutputFixture.Row row : rows(file)) {
                byte[] bytes = row.bytes();
                for (int length = 0; length < bytes.length; length++) {
                    ByteBuffer prefix = asSlice(Arrays.copyOf(bytes, length));
                    if (row.type() == 'A' && length == 9) {
                        // xid and subxid alone are a complete Stream Abort without streaming=parallel.
                        assertThat(decoder.decode(prefix, row.lsn())).isInstanceOf(StreamAbort.class);
                        continue;
                    }
                    assertThatThrownBy(() -> decoder.decode(prefix, row.lsn()))
                            .as("%s at %X: first %d of %d bytes", file, row.lsn(), length, bytes.length)
                            .isInstanceOf(PgOutputFormatException.class);
                    checked++;
                }
                decoder.decode(asSlice(bytes), row.lsn()); // keeps the streaming state as the server sent it
            }
        }
        assertThat(checked).isGreaterThan(50_000);
    }

    @Test
    void bytesAfterTheEndOfAMessageFail() {
        PgOutputFixture.Row commit = rows("dml-default.txt").get(3);
        byte[] longer = Arrays.copyOf(commit.bytes(), commit.bytes().length + 1);

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(longer), commit.lsn()))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessage("1 unexpected bytes after the end of the message (message type 'C' 0x43, offset 26, "
                            + "LSN 0/1742370)");
    }

    @Test
    void unknownTupleMarkerInUpdateFails() {
        PgOutputFixture.Row update = rows("dml-default.txt").get(5);
        byte[] bytes = update.bytes().clone();
        assertThat((char) bytes[5]).isEqualTo('N');
        bytes[5] = 'X';

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(bytes), update.lsn()))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessage("expected tuple marker 'K', 'O' or 'N' in Update but found 'X' 0x58 (message type 'U' 0x55, "
                            + "offset 5, LSN 0/1742370)");
    }

    @Test
    void newTupleMustFollowTheOldKeyInUpdate() {
        PgOutputFixture.Row update = rows("dml-default.txt").get(8); // U, relid, K, 3 cols: t 1 "1", n, n, then N
        byte[] bytes = update.bytes().clone();
        assertThat((char) bytes[16]).isEqualTo('N');
        bytes[16] = 'K';

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(bytes), update.lsn()))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessageStartingWith("expected tuple marker 'N' in Update after the old tuple but found 'K' 0x4B")
                .hasMessageContaining("offset 16,");
    }

    @Test
    void deleteWithoutAnOldTupleMarkerFails() {
        PgOutputFixture.Row delete = rows("dml-default.txt").get(11);
        byte[] bytes = delete.bytes().clone();
        bytes[5] = 'N';

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(bytes), delete.lsn()))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessageStartingWith("expected tuple marker 'K' or 'O' in Delete but found 'N' 0x4E");
    }

    @Test
    void unknownColumnKindFailsNamingTheColumn() {
        PgOutputFixture.Row insert = rows("dml-default.txt").get(2); // I, relid, N, 3 cols: t 1 "1", t 5 "first", n
        byte[] bytes = insert.bytes().clone();
        assertThat((char) bytes[14]).isEqualTo('t');
        bytes[14] = 'q';

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(bytes), insert.lsn()))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessage("unknown column kind 'q' 0x71 for column 1 (message type 'I' 0x49, offset 14, "
                            + "LSN 0/1742258)");
    }

    @Test
    void negativeValueLengthFails() {
        PgOutputFixture.Row insert = rows("dml-default.txt").get(2);
        byte[] bytes = insert.bytes().clone();
        bytes[9] = (byte) 0xFF; // high byte of the first value's length

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(bytes), insert.lsn()))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessageStartingWith("negative column value length -16777215");
    }

    @Test
    void commitWithUnknownFlagsFails() {
        PgOutputFixture.Row commit = rows("dml-default.txt").get(3);
        byte[] bytes = commit.bytes().clone();
        bytes[1] = 4;

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(bytes), commit.lsn()))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessage("unknown flags 4 (message type 'C' 0x43, offset 1, LSN 0/1742370)");
    }

    @Test
    void streamStopOutsideAStreamAndANestedStreamStartFail() {
        List<PgOutputFixture.Row> rows = rows("streaming-commit.txt");
        PgOutputFixture.Row start = rows.get(0);
        PgOutputFixture.Row stop = rows.get(485);

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(stop.bytes()), stop.lsn()))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessageStartingWith("Stream Stop without a Stream Start");
        decoder.decode(ByteBuffer.wrap(start.bytes()), start.lsn());
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(start.bytes()), start.lsn()))
                .isInstanceOf(PgOutputFormatException.class)
                .hasMessageStartingWith("Stream Start while a stream chunk is still open");
    }

    @Test
    void decodingLeavesTheCallersBufferPositionLimitAndOrderAsTheyWere() {
        PgOutputFixture.Row insert = rows("dml-default.txt").get(2);
        ByteBuffer slice = asSlice(insert.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        int position = slice.position();
        int limit = slice.limit();

        Insert decoded = (Insert) decoder.decode(slice, insert.lsn());

        assertThat(decoded.newTuple()).hasToString("TupleData[t:'1', t:'first', n]");
        assertThat(slice.position()).isEqualTo(position);
        assertThat(slice.limit()).isEqualTo(limit);
        assertThat(slice.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void directAndReadOnlyBuffersDecodeLikeHeapBuffers() {
        PgOutputFixture.Row relation = rows("dml-default.txt").get(1);
        ByteBuffer direct = ByteBuffer.allocateDirect(relation.bytes().length + 3);
        direct.position(3);
        direct.put(relation.bytes()).position(3);

        PgOutputMessage expected = decoder.decode(ByteBuffer.wrap(relation.bytes()), relation.lsn());
        assertThat(decoder.decode(direct, relation.lsn())).isEqualTo(expected);
        assertThat(decoder.decode(ByteBuffer.wrap(relation.bytes()).asReadOnlyBuffer(), relation.lsn()))
                .isEqualTo(expected);

        // Tuples are read in place from a heap array; without one they are copied once, with the same result.
        PgOutputFixture.Row insert = rows("dml-default.txt").get(2);
        ByteBuffer directInsert = ByteBuffer.allocateDirect(insert.bytes().length + 3);
        directInsert.position(3);
        directInsert.put(insert.bytes()).position(3);
        Insert fromHeap = (Insert) decoder.decode(asSlice(insert.bytes()), insert.lsn());
        Insert fromDirect = (Insert) decoder.decode(directInsert, insert.lsn());
        Insert fromReadOnly = (Insert) decoder.decode(ByteBuffer.wrap(insert.bytes()).asReadOnlyBuffer(), insert.lsn());
        assertThat(fromHeap.newTuple()).hasToString("TupleData[t:'1', t:'first', n]");
        assertThat(fromDirect).isEqualTo(fromHeap);
        assertThat(fromReadOnly).isEqualTo(fromHeap);
        assertThat(fromDirect.newTuple().value(1)).containsExactly('f', 'i', 'r', 's', 't');
        assertThat(fromDirect.newTuple().value(2)).isNull();
    }
}
