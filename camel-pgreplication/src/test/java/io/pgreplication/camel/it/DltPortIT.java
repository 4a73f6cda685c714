package io.pgreplication.camel.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ports of dlt's {@code tests/pg_replication/test_pg_replication.py} scenarios
 * with the same data and expectations, adapted to events: where dlt checks destination tables, these tests apply the
 * delivered {@code outputFormat=rows} items to an in-memory "destination" the way dlt's merge disposition does
 * (upsert by the table's key, delete on {@code deleted_ts}). Snapshot scenarios and value-type scenarios are covered
 * elsewhere; dlt's initial load is stood in for by loading the rows that exist before streaming starts.
 */
class DltPortIT extends ReplicationITSupport {

    /** A merge-disposition destination: table -> key -> row, fed with rows-format exchanges. */
    static final class Destination {
        final Map<String, Map<List<Object>, Map<String, Object>>> tables = new HashMap<>();
        final List<Map<String, Object>> items = new CopyOnWriteArrayList<>();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

        @SuppressWarnings("unchecked")
        synchronized void load(Exchange exchange) {
            String table = exchange.getIn().getHeader(PgReplicationConstants.TABLE, String.class);
            table = table.substring(table.indexOf('.') + 1);
            List<String> keys = exchange.getIn().getHeader(PgReplicationConstants.KEY_COLUMNS, List.class);
            List<Map<String, Object>> rows = exchange.getIn().getBody(List.class);
            batchSizes.add(rows.size());
            for (Map<String, Object> row : rows) {
                items.add(row);
                Map<String, Object> data = new LinkedHashMap<>(row);
                data.remove("lsn");
                boolean delete = data.remove("deleted_ts") != null;
                List<Object> key = new ArrayList<>();
                for (String k : keys.isEmpty() ? data.keySet() : keys) {
                    key.add(data.get(k));
                }
                Map<List<Object>, Map<String, Object>> t = tables.computeIfAbsent(table, n -> new LinkedHashMap<>());
                if (delete) {
                    t.remove(key);
                } else {
                    t.put(key, data);
                }
            }
        }

        /** The rows of a table sorted by their first column, like dlt's assert_loaded_data. */
        synchronized List<Map<String, Object>> rows(String table) {
            TreeMap<Long, Map<String, Object>> sorted = new TreeMap<>();
            tables.getOrDefault(table, Map.of()).values()
                    .forEach(r -> sorted.put(((Number) r.values().iterator().next()).longValue(), r));
            return new ArrayList<>(sorted.values());
        }

        synchronized int count(String table) {
            return tables.getOrDefault(table, Map.of()).size();
        }

        /** dlt's initial load, stood in for: the rows that exist before streaming starts. */
        synchronized void preload(String table, Map<String, Object> row) {
            tables.computeIfAbsent(table, n -> new LinkedHashMap<>()).put(List.of(row.values().iterator().next()), row);
        }
    }

    private String x;
    private String y;

    private Destination streamRows(String tables, String extra) throws Exception {
        Destination destination = new Destination();
        startRoute("tables=" + tables + "&outputFormat=rows&batchTimeout=20" + extra, destination::load);
        awaitStreaming();
        return destination;
    }

    /** dlt's src_pl loads of tbl_x {id_x: 1, val_x: "foo"} and tbl_y {id_y: 1, val_y: true}, with add_pk. */
    private void createXY() {
        x = TestDatabase.uniqueName("tbl_x");
        y = TestDatabase.uniqueName("tbl_y");
        db.execute("CREATE TABLE " + x + " (id_x bigint, val_x text)",
                "CREATE TABLE " + y + " (id_y bigint, val_y bool)",
                "INSERT INTO " + x + " VALUES (1, 'foo')", "INSERT INTO " + y + " VALUES (1, true)",
                "ALTER TABLE " + x + " ADD PRIMARY KEY (id_x)", "ALTER TABLE " + y + " ADD PRIMARY KEY (id_y)");
    }

    private static Map<String, Object> row(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put(k1, v1);
        row.put(k2, v2);
        return row;
    }

    @Test
    void dltCoreFunctionality() throws Exception {
        createXY();
        Destination d = streamRows(x + "," + y, "");
        d.preload(x, row("id_x", 1L, "val_x", "foo"));
        d.preload(y, row("id_y", 1L, "val_y", true));
        assertThat(d.count(x)).isEqualTo(1);
        assertThat(d.count(y)).isEqualTo(1);

        db.execute("INSERT INTO " + x + " VALUES (2, 'bar'), (3, 'baz')", "INSERT INTO " + y + " VALUES (2, false)");
        await().until(() -> d.count(x) == 3 && d.count(y) == 2);
        assertThat(d.rows(x)).containsExactly(row("id_x", 1L, "val_x", "foo"), row("id_x", 2L, "val_x", "bar"),
                row("id_x", 3L, "val_x", "baz"));
        assertThat(d.rows(y)).containsExactly(row("id_y", 1L, "val_y", true), row("id_y", 2L, "val_y", false));

        db.execute("INSERT INTO " + y + " VALUES (3, true)");
        await().until(() -> d.count(y) == 3);
        assertThat(d.count(x)).isEqualTo(3);

        db.execute("UPDATE " + x + " SET val_x = 'foo_updated' WHERE id_x = 1",
                "UPDATE " + y + " SET val_y = false WHERE id_y = 1");
        await().until(() -> d.rows(x).get(0).get("val_x").equals("foo_updated")
                            && d.rows(y).get(0).get("val_y").equals(false));
        assertThat(d.count(x)).isEqualTo(3);
        assertThat(d.count(y)).isEqualTo(3);

        db.execute("DELETE FROM " + x + " WHERE id_x = 1");
        await().until(() -> d.count(x) == 2);
        assertThat(d.rows(x)).containsExactly(row("id_x", 2L, "val_x", "bar"), row("id_x", 3L, "val_x", "baz"));
        assertThat(d.count(y)).isEqualTo(3);
    }

    @Test
    void dltWithoutInitLoad() throws Exception {
        createXY();
        Destination d = streamRows(x + "," + y, "");
        db.execute("INSERT INTO " + x + " VALUES (2, 'bar'), (3, 'baz')", "INSERT INTO " + y + " VALUES (2, false)");
        await().until(() -> d.count(x) == 2 && d.count(y) == 1);
        // the rows with id 1 predate the stream and are absent
        assertThat(d.rows(x)).containsExactly(row("id_x", 2L, "val_x", "bar"), row("id_x", 3L, "val_x", "baz"));
        assertThat(d.rows(y)).containsExactly(row("id_y", 2L, "val_y", false));

        db.execute("DELETE FROM " + x + " WHERE id_x = 2");
        await().until(() -> d.count(x) == 1);
        assertThat(d.rows(x)).containsExactly(row("id_x", 3L, "val_x", "baz"));
        assertThat(d.count(y)).isEqualTo(1);
    }

    @Test
    void dltInsertOnly() throws Exception {
        String items = TestDatabase.uniqueName("items");
        db.execute("CREATE TABLE " + items + " (id bigint, foo text)", "INSERT INTO " + items + " VALUES (1, 'bar')");
        // dlt passes table_names as a plain string: an unqualified name is public.<name> here too
        Destination d = streamRows(items, "&publish=insert");
        db.execute("INSERT INTO " + items + " VALUES (2, 'bar')");
        await().until(() -> d.items.size() == 1);
        assertThat(d.items.get(0)).containsEntry("id", 2L).containsKey("lsn");

        db.execute("UPDATE " + items + " SET foo = 'baz' WHERE id = 2", "DELETE FROM " + items + " WHERE id = 2");
        // dlt: "no metrics for items". Updates and deletes are not published; the next insert is the next item.
        db.execute("INSERT INTO " + items + " VALUES (3, 'sync')");
        await().until(() -> d.items.size() >= 2);
        assertThat(d.items).hasSize(2);
        assertThat(d.items.get(1)).containsEntry("id", 3L);
    }

    @Test
    void dltIncludeColumns() throws Exception {
        String[] names = {TestDatabase.uniqueName("tbl_x"), TestDatabase.uniqueName("tbl_y"),
            TestDatabase.uniqueName("tbl_z")};
        String[] suffixes = {"x", "y", "z"};
        for (int i = 0; i < 3; i++) {
            String s = suffixes[i];
            db.execute("CREATE TABLE " + names[i] + " (id_" + s + " bigint, val_" + s + " text, another_col_" + s
                       + " bigint)", "INSERT INTO " + names[i] + " VALUES (1, 'foo', 1)");
        }
        Destination d = streamRows(String.join(",", names), "&publish=insert&includeColumns=" + names[0]
                                                            + "(id_x,val_x);" + names[1] + "(id_y,val_y)");
        for (int i = 0; i < 3; i++) {
            db.execute("INSERT INTO " + names[i] + " VALUES (2, 'bar', 2)");
        }
        await().until(() -> d.items.size() == 3);
        Map<String, Set<String>> columns = new HashMap<>();
        for (Map<String, Object> item : d.items) {
            String suffix = item.keySet().iterator().next().substring(3);
            columns.put(suffix, item.keySet());
        }
        assertThat(columns.get("x")).containsExactlyInAnyOrder("id_x", "val_x", "lsn");
        assertThat(columns.get("y")).containsExactlyInAnyOrder("id_y", "val_y", "lsn");
        assertThat(columns.get("z")).containsExactlyInAnyOrder("id_z", "val_z", "another_col_z", "lsn");
    }

    @Test
    void dltTableSchemaChange() throws Exception {
        String items = TestDatabase.uniqueName("items");
        db.execute("CREATE TABLE " + items + " (c1 bigint, c2 bigint)", "INSERT INTO " + items + " VALUES (1, 1)");
        Received received = stream("tables=" + items + "&publish=insert&batchTimeout=20");
        // dlt loads [{c1:2,c2:1},{c1:3,c2:1,c3:1}] in one load: the new column first, then both rows
        db.execute("BEGIN; ALTER TABLE " + items + " ADD COLUMN c3 bigint; INSERT INTO " + items
                   + " VALUES (2, 1, NULL), (3, 1, 1); COMMIT");
        await().until(() -> received.eventCount() == 2);
        assertThat(received.events()).extracting(ChangeEvent::getAfter)
                .containsExactly(mapOf("c1", 2L, "c2", 1L, "c3", null), mapOf("c1", 3L, "c2", 1L, "c3", 1L));

        // then {c1:4,...} and, in a separate load, {c1:5,...,c4:1}: two Relation messages in one run
        db.execute("INSERT INTO " + items + " VALUES (4, 1, 1)", "ALTER TABLE " + items + " ADD COLUMN c4 bigint",
                "INSERT INTO " + items + " VALUES (5, 1, 1, 1)");
        await().until(() -> received.eventCount() == 4);
        assertThat(received.events().subList(2, 4)).extracting(ChangeEvent::getAfter)
                .containsExactly(mapOf("c1", 4L, "c2", 1L, "c3", 1L), mapOf("c1", 5L, "c2", 1L, "c3", 1L, "c4", 1L));
        // no key columns (dlt creates no primary key): the key is empty, never made up
        assertThat(received.events()).allSatisfy(e -> assertThat(e.getKey()).isEmpty());
    }

    @Test
    void dltBatching() throws Exception {
        String items = TestDatabase.uniqueName("items");
        db.execute("CREATE TABLE " + items + " (id bigint, val bool)", "INSERT INTO " + items + " VALUES (1000, true)");
        // dlt uses the default publish with no primary key; this component refuses to publish UPDATE/DELETE for a
        // table without replica identity (the application's own updates would fail), so the port publishes inserts.
        Destination d = streamRows(items, "&publish=insert&batchSize=50");
        db.execute("INSERT INTO " + items + " SELECT g, true FROM generate_series(1, 100) g");
        await().until(() -> d.items.size() == 100);
        for (int load = 0; load < 5; load++) {
            int from = 101 + load * 20;
            db.execute("INSERT INTO " + items + " SELECT g, true FROM generate_series(" + from + ", " + (from + 19)
                       + ") g");
        }
        await().until(() -> d.items.size() == 200);
        assertThat(d.items).extracting(r -> ((Long) r.get("id")).intValue())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 200).boxed().toList());
        assertThat(d.batchSizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(50));
    }

    private static Map<String, Object> mapOf(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
