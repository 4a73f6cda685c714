package io.pgreplication.camel.session;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import io.pgreplication.camel.lsn.Lsn;

/** pgoutput messages a real server wrote (src/test/resources/pgoutput, see its README): one per line. */
final class Captured {

    /** One message: the LSN the server reported with it, and its bytes. */
    record Message(long lsn, byte[] bytes) {
    }

    private Captured() {
    }

    static List<Message> messages(String file) {
        InputStream in = Captured.class.getResourceAsStream("/pgoutput/" + file);
        if (in == null) {
            throw new IllegalArgumentException("missing fixture " + file);
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().filter(line -> !line.isBlank()).map(line -> {
                String[] fields = line.split(" ");
                return new Message(Lsn.parse(fields[0]).value(), HexFormat.of().parseHex(fields[2]));
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
