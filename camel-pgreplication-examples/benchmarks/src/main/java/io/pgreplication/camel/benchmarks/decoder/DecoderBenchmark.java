package io.pgreplication.camel.benchmarks.decoder;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.event.TableShape;
import io.pgreplication.camel.examples.EmbeddedServer;
import io.pgreplication.camel.pgoutput.PgOutputDecoder;
import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.table.TableFilter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

/**
 * JMH benchmark of the per-change path without I/O: pgoutput messages captured from a real embedded
 * PostgreSQL at setup (a 12-column table of mixed types, 20,000 inserts and 5,000 updates in 100-change
 * transactions), then decoded ({@code decode}) and decoded and assembled into change events
 * ({@code decodeAndAssemble}), in text and binary mode; both figures are per change. Run with the GC profiler for bytes allocated
 * per operation ({@code gc.alloc.rate.norm}):
 * {@code mvn -B -q -Pjmh package -DskipTests} (add {@code -Djmh.args="..."} for other JMH options).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecoderBenchmark {

    static final int INSERTS = 20_000;
    static final int UPDATES = 5_000;
    static final int CHANGES = INSERTS + UPDATES;

    @Param({"text", "binary"})
    public String values;

    private ByteBuffer[] messages;
    private long[] lsns;

    @Setup(Level.Trial)
    public void capture() throws Exception {
        List<ByteBuffer> captured = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        try (EmbeddedServer server = EmbeddedServer.start(Map.of())) {
            String slot = "jmh_" + values;
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS jmh_rows");
                st.execute("CREATE TABLE jmh_rows (id bigint PRIMARY KEY, qty int, price numeric(12,2), rate float8,"
                           + " flag bool, name text, code varchar(20), created timestamptz, day date,"
                           + " ref uuid, doc jsonb, tags text[])");
                st.execute("DROP PUBLICATION IF EXISTS jmh_pub");
                st.execute("CREATE PUBLICATION jmh_pub FOR TABLE jmh_rows");
                st.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
                for (int from = 1; from <= INSERTS; from += 100) {
                    st.execute("INSERT INTO jmh_rows SELECT g, g % 1000, g * 1.25, g / 7.0, g % 2 = 0,"
                               + " 'customer ' || g, 'C-' || g, now(), current_date, gen_random_uuid(),"
                               + " jsonb_build_object('n', g, 'tags', jsonb_build_array('a', 'b')),"
                               + " ARRAY['x', 'y', 'z'] FROM generate_series(" + from + ", " + (from + 99) + ") g");
                }
                for (int from = 1; from <= UPDATES; from += 100) {
                    st.execute("UPDATE jmh_rows SET qty = qty + 1, name = name || '!' WHERE id BETWEEN " + from
                               + " AND " + (from + 99));
                }
            }
            // The session settings the component's replication connection uses, so text values parse the same.
            try (Connection c = server.connectReplication("-c DateStyle=ISO -c TimeZone=UTC"
                                                          + " -c IntervalStyle=iso_8601 -c bytea_output=hex"
                                                          + " -c extra_float_digits=3")) {
                var builder = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                        .withSlotName(slot).withSlotOption("proto_version", 1)
                        .withSlotOption("publication_names", "jmh_pub").withAutomaticFlush(false);
                if ("binary".equals(values)) {
                    builder.withSlotOption("binary", "true");
                }
                PGReplicationStream stream = builder.start();
                // Until every change and its transaction's Commit arrived: keepalives can report the WAL end
                // before the last transactions are sent, so the LSN alone does not say the capture is complete.
                long changes = 0;
                boolean inTransaction = false;
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while ((changes < CHANGES || inTransaction) && System.nanoTime() < deadline) {
                    ByteBuffer payload = stream.readPending();
                    if (payload == null) {
                        TimeUnit.MILLISECONDS.sleep(1);
                        continue;
                    }
                    byte[] copy = new byte[payload.remaining()];
                    payload.get(copy);
                    captured.add(ByteBuffer.wrap(copy));
                    positions.add(stream.getLastReceiveLSN().asLong());
                    inTransaction = copy[0] == 'B' || (inTransaction && copy[0] != 'C');
                    changes += copy[0] == 'I' || copy[0] == 'U' ? 1 : 0;
                }
            }
        }
        messages = captured.toArray(new ByteBuffer[0]);
        lsns = positions.stream().mapToLong(Long::longValue).toArray();
        long changes = captured.stream().filter(b -> b.get(0) == 'I' || b.get(0) == 'U').count();
        if (changes != CHANGES) {
            throw new IllegalStateException("captured " + changes + " changes, expected " + CHANGES);
        }
    }

    /** Per change (with its share of Begin, Commit and Relation): the wire format to message records. */
    @Benchmark
    @OperationsPerInvocation(CHANGES)
    public void decode(Blackhole bh) {
        PgOutputDecoder decoder = new PgOutputDecoder();
        for (int i = 0; i < messages.length; i++) {
            bh.consume(decoder.decode(messages[i].rewind(), lsns[i]));
        }
    }

    /** Per change: decoded, values converted, assembled into events with key, before and after. */
    @Benchmark
    @OperationsPerInvocation(CHANGES)
    public void decodeAndAssemble(Blackhole bh) {
        PgOutputDecoder decoder = new PgOutputDecoder();
        EventAssembler assembler = new EventAssembler(TableFilter.ALL, oid -> List.of(),
                new EventAssembler.Listener() {
                    @Override
                    public void onChange(ChangeEvent event, TableShape shape, long transaction, long bytes) {
                        bh.consume(event);
                    }

                    @Override
                    public void onCommit(long transaction, long endLsn) {
                        bh.consume(endLsn);
                    }
                });
        for (int i = 0; i < messages.length; i++) {
            PgOutputMessage message = decoder.decode(messages[i].rewind(), lsns[i]);
            assembler.accept(message, lsns[i]);
        }
    }
}
