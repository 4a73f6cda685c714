package io.pgreplication.camel.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The binary COPY framing as PostgreSQL's copyto.c writes it (header on the first row's message, trailer alone). The
 * real server's output is exercised end to end by SnapshotIT, whose value parity test compares snapshot rows with
 * the streamed ones.
 */
class CopyBinaryTest {

    @Test
    void splitsTheFirstRowAfterTheHeaderThenPlainRowsThenTheTrailer() throws IOException {
        byte[][] out = new byte[2][];
        assertThat(CopyBinary.split(message(true, new byte[][] {{0, 0, 0, 7}, null}, false), true, out)).isTrue();
        assertThat(out[0]).containsExactly(0, 0, 0, 7);
        assertThat(out[1]).isNull();
        assertThat(CopyBinary.split(message(false, new byte[][] {{1}, {'a', 'b'}}, false), false, out)).isTrue();
        assertThat(out[0]).containsExactly(1);
        assertThat(out[1]).containsExactly('a', 'b');
        assertThat(CopyBinary.split(message(false, null, true), false, out)).isFalse();
    }

    @Test
    void anEmptyResultIsTheHeaderAndTheTrailerInOneMessage() throws IOException {
        assertThat(CopyBinary.split(message(true, null, true), true, new byte[1][])).isFalse();
    }

    @Test
    void aWrongColumnCountOrSignatureFails() throws IOException {
        assertThatThrownBy(() -> CopyBinary.split(message(false, new byte[][] {{1}}, false), false, new byte[2][]))
                .hasMessageContaining("1 columns, expected 2");
        assertThatThrownBy(() -> CopyBinary.split(new byte[] {'P', 'G', 'X'}, true, new byte[1][]))
                .hasMessageContaining("signature");
    }

    private static byte[] message(boolean header, byte[][] fields, boolean trailer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        if (header) {
            out.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
            out.writeInt(0);
            out.writeInt(0);
        }
        if (fields != null) {
            out.writeShort(fields.length);
            for (byte[] f : fields) {
                if (f == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(f.length);
                    out.write(f);
                }
            }
        }
        if (trailer) {
            out.writeShort(-1);
        }
        return bytes.toByteArray();
    }
}
