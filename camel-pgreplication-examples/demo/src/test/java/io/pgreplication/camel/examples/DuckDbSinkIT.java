package io.pgreplication.camel.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DuckDbSink's bulk path (appender, staging table, one DELETE and one INSERT per batch) against real PostgreSQL and
 * real DuckDB: changes that touch the same keys several times within one transaction, key changes and key swaps, a
 * truncate, and the same batches applied again, as at-least-once delivery does after a restart.
 */
class DuckDbSinkIT extends WithEmbeddedServer {

    /** One delivered batch, kept to be applied again. */
    private record Delivered(List<Object> events, RelationMetadata relation) {
    }

    @Test
    void keyChangesApplyInOrderAndRedeliveredBatchesChangeNothing() throws Exception {
        Path duckdb = freshFile("sink-bulk.duckdb");
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS sinkit CASCADE");
            st.execute("CREATE SCHEMA sinkit");
            st.execute("CREATE TABLE sinkit.items (id int, part int, label text, qty int, price numeric(10,2),"
                       + " PRIMARY KEY (id, part))");
        }
        List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (DuckDbSink sink = new DuckDbSink(duckdb.toString())) {
            CamelContext camel = recordingRoute("sinkit_slot", "sinkit.items", sink, delivered);
            try {
                try (Connection c = server.connect(); Statement st = c.createStatement()) {
                    c.setAutoCommit(false);
                    // One transaction, so one batch holds every step: the sink must keep their order per key.
                    st.execute("INSERT INTO sinkit.items SELECT g, p, 'first', 1, g * 1.5"
                               + " FROM generate_series(1, 50) g, generate_series(1, 2) p");
                    st.execute("UPDATE sinkit.items SET id = 100 WHERE id = 1 AND part = 1"); // the key moves
                    st.execute("INSERT INTO sinkit.items VALUES (1, 1, 'reused key', 7, 0.25)"); // and comes back
                    st.execute("UPDATE sinkit.items SET qty = qty + 10 WHERE id = 100");
                    st.execute("DELETE FROM sinkit.items WHERE id = 2 AND part = 1");
                    st.execute("INSERT INTO sinkit.items VALUES (2, 1, 'deleted, then inserted', 3, 9.99)");
                    // A swap of two keys through a third one.
                    st.execute("UPDATE sinkit.items SET part = 99 WHERE id = 3 AND part = 1");
                    st.execute("UPDATE sinkit.items SET part = 1 WHERE id = 3 AND part = 2");
                    st.execute("UPDATE sinkit.items SET part = 2, label = 'swapped' WHERE id = 3 AND part = 99");
                    st.execute("UPDATE sinkit.items SET id = 200 WHERE id = 4"); // both rows of a key prefix move
                    st.execute("DELETE FROM sinkit.items WHERE id = 200 AND part = 2");
                    c.commit();
                    st.execute("UPDATE sinkit.items SET id = id + 1000 WHERE id BETWEEN 10 AND 19");
                    st.execute("DELETE FROM sinkit.items WHERE id BETWEEN 20 AND 24");
                    c.commit();
                }
                awaitEqual(duckdb, "sinkit.items");
                assertThat(rows(duckdb, "SELECT id, part, label, qty FROM sinkit.items WHERE id IN (1, 2, 3, 100)"
                                        + " ORDER BY id, part")).containsExactly(
                        "1|1|reused key|7", "1|2|first|1", "2|1|deleted, then inserted|3", "2|2|first|1",
                        "3|1|first|1", "3|2|swapped|1", "100|1|first|11");
            } finally {
                camel.close();
            }
            assertThat(delivered).isNotEmpty();

            // At-least-once: after a restart the slot streams again from its confirmed position, so any suffix of the
            // batches may come again, in order. Everything again, then the last batch twice more: nothing changes.
            reapply(sink, delivered);
            reapply(sink, delivered.subList(delivered.size() - 1, delivered.size()));
            reapply(sink, delivered.subList(delivered.size() - 1, delivered.size()));
        }
        assertEqual(duckdb, "sinkit.items");
    }

    @Test
    void unchangedToastValuesKeepTheirValueAlsoWhenTheKeyChanges() throws Exception {
        Path duckdb = freshFile("sink-toast.duckdb");
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS sinktoast CASCADE");
            st.execute("CREATE SCHEMA sinktoast");
            st.execute("CREATE TABLE sinktoast.docs (id int PRIMARY KEY, title text, body text)");
            // Stored out of line and uncompressed, so an update that leaves it alone does not send it.
            st.execute("ALTER TABLE sinktoast.docs ALTER COLUMN body SET STORAGE EXTERNAL");
        }
        List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (DuckDbSink sink = new DuckDbSink(duckdb.toString())) {
            CamelContext camel = recordingRoute("sinktoast_slot", "sinktoast.docs", sink, delivered);
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO sinktoast.docs SELECT g, 'draft', repeat(md5(g::text), 300)"
                           + " FROM generate_series(1, 4) g");
                c.setAutoCommit(false);
                st.execute("UPDATE sinktoast.docs SET title = 'edited' WHERE id = 1");
                st.execute("UPDATE sinktoast.docs SET id = 20, title = 'moved' WHERE id = 2");
                st.execute("UPDATE sinktoast.docs SET id = 30 WHERE id = 3");
                st.execute("UPDATE sinktoast.docs SET title = 'moved, then edited' WHERE id = 30");
                c.commit();
                awaitEqual(duckdb, "sinktoast.docs");
            } finally {
                camel.close();
            }
            assertThat(delivered).flatExtracting(Delivered::events)
                    .anySatisfy(e -> assertThat(((ChangeEvent) e).getUnchangedToast()).containsExactly("body"));
            reapply(sink, delivered);
        }
        assertEqual(duckdb, "sinktoast.docs");
        assertThat(rows(duckdb, "SELECT id, title, length(body) FROM sinktoast.docs ORDER BY id")).containsExactly(
                "1|edited|9600", "4|draft|9600", "20|moved|9600", "30|moved, then edited|9600");
    }

    @Test
    void truncateEmptiesTheTableAndValuesTheAppenderCannotTakeStillArrive() throws Exception {
        Path duckdb = freshFile("sink-values.duckdb");
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS sinkvals CASCADE");
            st.execute("CREATE SCHEMA sinkvals");
            st.execute("CREATE TABLE sinkvals.vals (id int PRIMARY KEY, day date, happened timestamptz, amount numeric,"
                       + " ref uuid, raw bytea, doc jsonb, nums int[], clock time, span interval, flag boolean)");
        }
        List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (DuckDbSink sink = new DuckDbSink(duckdb.toString())) {
            CamelContext camel = recordingRoute("sinkvals_slot", "sinkvals.vals", sink, delivered);
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO sinkvals.vals SELECT g, date '2026-01-01' + g, timestamptz '2026-01-01 00:00Z'"
                           + " + g * interval '1 minute', g / 3.0, md5(g::text)::uuid, '\\x00ff'::bytea,"
                           + " jsonb_build_object('g', g), ARRAY[g, g + 1], time '12:00' + g * interval '1 s',"
                           + " g * interval '1 day', g % 2 = 0 FROM generate_series(1, 20) g");
                st.execute("TRUNCATE sinkvals.vals");
                // A date and a timestamp java.time cannot hold arrive as strings: such a row is staged as text.
                st.execute("INSERT INTO sinkvals.vals VALUES (1, 'infinity', '-infinity', 1.123456789012, NULL, NULL,"
                           + " '{\"a\": [1, 2]}', '{}', '23:59:59.5', 'P1Y2M', true),"
                           + " (2, '2026-02-03', '2026-02-03 04:05:06.123456+00', 12345678901234567890.5,"
                           + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x0102', 'null', '{1,NULL,3}', NULL, NULL,"
                           + " false)");
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> rows(duckdb, "SELECT count(*) FROM sinkvals.vals").equals(List.of("2")));
            } finally {
                camel.close();
            }
        }
        assertThat(rows(duckdb, "SELECT id, day::varchar, happened::varchar, amount::varchar, ref::varchar, hex(raw),"
                                + " doc::varchar, nums::varchar, clock::varchar, span, flag FROM sinkvals.vals"
                                + " ORDER BY id")).containsExactly(
                "1|infinity|-infinity|1.123456789|null|null|{\"a\":[1,2]}|[]|23:59:59.5|P1Y2M|true",
                "2|2026-02-03|2026-02-03 04:05:06.123456+00|12345678901234567890.500000000"
                + "|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|0102|null|[1,null,3]|null|null|false");
    }

    private static CamelContext recordingRoute(String slot, String table, DuckDbSink sink, List<Delivered> delivered)
            throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("pgreplication:" + slot + "?tables=" + table + "&reset=true&batchSize=10000&statusInterval=1s&"
                     + server.endpointOptions())
                        .process(e -> {
                            delivered.add(new Delivered(new ArrayList<>(e.getIn().getBody(List.class)), e.getIn()
                                    .getHeader(PgReplicationConstants.RELATION, RelationMetadata.class)));
                            sink.process(e);
                        });
            }
        });
        camel.start();
        return camel;
    }

    private static void reapply(DuckDbSink sink, List<Delivered> batches) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        for (Delivered batch : batches) {
            Exchange exchange = new DefaultExchange(camel);
            exchange.getIn().setBody(batch.events());
            exchange.getIn().setHeader(PgReplicationConstants.RELATION, batch.relation());
            sink.process(exchange);
        }
    }

    private static void awaitEqual(Path duckdb, String table) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertEqual(duckdb, table));
    }

    private static void assertEqual(Path duckdb, String table) throws SQLException {
        try (Connection pg = server.connect(); Connection duck = DriverManager.getConnection("jdbc:duckdb:" + duckdb)) {
            TableComparison comparison = TableComparison.compare(pg, duck, List.of(table)).get(0);
            assertThat(comparison.firstMismatch()).as(comparison.toString()).isNull();
            assertThat(comparison.duckdbRows()).isPositive();
        }
    }

    private static Path freshFile(String name) throws Exception {
        Path file = Path.of("target/it", name).toAbsolutePath();
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.deleteIfExists(Path.of(file + ".wal"));
        return file;
    }

    private static ResultSet query(Statement st, String sql) throws SQLException {
        st.execute("SET TimeZone = 'UTC'"); // timestamptz as text in UTC, whatever this machine's zone
        return st.executeQuery(sql);
    }

    private static List<String> rows(Path duckdb, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb); Statement st = c.createStatement();
                ResultSet rs = query(st, sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
