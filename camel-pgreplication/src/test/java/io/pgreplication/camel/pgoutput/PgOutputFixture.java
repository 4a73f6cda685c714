package io.pgreplication.camel.pgoutput;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Reads the messages captured from a real server by {@code src/test/resources/pgoutput/capture.sql}: one line per
 * message, {@code <lsn> <xid> <hex payload>}, as returned by {@code pg_logical_slot_get_binary_changes}.
 */
final class PgOutputFixture {

    /** One captured message: the LSN and xid the server reported next to it, and its bytes. */
    record Row(long lsn, int xid, byte[] bytes) {
        byte type() {
            return bytes[0];
        }
    }

    private PgOutputFixture() {
    }

    static List<Row> rows(String file) {
        List<Row> rows = new ArrayList<>();
        for (String line : lines(file)) {
            String[] fields = line.split(" ");
            rows.add(new Row(lsn(fields[0]), Integer.parseInt(fields[1]), HexFormat.of().parseHex(fields[2])));
        }
        return rows;
    }

    /**
     * Decodes every message of a fixture file in order with one decoder, as a consumer of the stream would. Each
     * payload is handed over the way pgjdbc does: a slice of a larger array, here with bytes before and after it
     * that are not part of the message, so a decoder that ignores position, limit or arrayOffset fails.
     */
    static List<PgOutputMessage> decodeAll(String file) {
        PgOutputDecoder decoder = new PgOutputDecoder();
        List<PgOutputMessage> messages = new ArrayList<>();
        for (Row row : rows(file)) {
            messages.add(decoder.decode(asSlice(row.bytes()), row.lsn()));
        }
        return messages;
    }

    static ByteBuffer asSlice(byte[] payload) {
        byte[] framed = new byte[payload.length + 40];
        java.util.Arrays.fill(framed, (byte) 'X');
        System.arraycopy(payload, 0, framed, 25, payload.length);
        ByteBuffer slice = ByteBuffer.wrap(framed, 17, payload.length + 15).slice(); // arrayOffset 17
        slice.position(8).limit(8 + payload.length);
        return slice;
    }

    /** The OIDs the server assigned to the fixture tables and types, by name. */
    static Map<String, Integer> catalog(String file) {
        Map<String, Integer> oids = new HashMap<>();
        for (String line : lines(file)) {
            String[] fields = line.split(" ");
            oids.put(fields[0], Integer.parseInt(fields[1]));
        }
        return oids;
    }

    /** The commit time the server recorded for an xid (track_commit_timestamp), from commit-times.txt. */
    static Instant commitTime(int xid) {
        for (String line : lines("commit-times.txt")) {
            String[] fields = line.split(" ");
            if (Integer.parseInt(fields[0]) == xid) {
                return Instant.EPOCH.plus(Long.parseLong(fields[1]), ChronoUnit.MICROS);
            }
        }
        throw new IllegalArgumentException("no commit time captured for xid " + xid);
    }

    /** Parses the server's {@code X/Y} LSN notation. */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    static String text(TupleData tuple, int column) {
        return new String(tuple.value(column), StandardCharsets.UTF_8);
    }

    private static List<String> lines(String file) {
        InputStream in = PgOutputFixture.class.getResourceAsStream("/pgoutput/" + file);
        if (in == null) {
            throw new IllegalArgumentException("missing fixture " + file);
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
