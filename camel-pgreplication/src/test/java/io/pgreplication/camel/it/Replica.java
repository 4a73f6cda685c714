package io.pgreplication.camel.it;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * A sink that applies change events in order to in-memory tables keyed by each event's key, and notes anything that
 * would be a lost or doubled change: an insert or snapshot row whose key is already there, an update or delete of a
 * key never seen. The snapshot rows of an online backfill replace the table, as docs/user-guide.md tells a sink to
 * do: the first batch of a backfill attempt (a new {@code CamelPgReplicationBackfill} id or consistent point) empties
 * the table and forgets its anomalies, so the table is its snapshot rows plus the changes after them. Thread-safe.
 */
public final class Replica implements Processor {

    private final Map<String, Map<Map<String, Object>, Map<String, Object>>> tables = new HashMap<>();
    private final Map<String, List<String>> anomalies = new HashMap<>();
    /** Per table, the backfill attempt ({@code id@point}) its rows come from. */
    private final Map<String, String> backfills = new HashMap<>();
    /** Per table since its last backfill attempt began: snapshot rows, and other events. */
    private final Map<String, int[]> sinceBackfill = new HashMap<>();

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) {
        List<ChangeEvent> events = exchange.getIn().getBody(List.class);
        String backfill = exchange.getIn().getHeader(PgReplicationConstants.BACKFILL, String.class);
        if (backfill != null && !events.isEmpty()) {
            startBackfill(events.get(0).getTable(),
                    backfill + "@" + exchange.getIn().getHeader(PgReplicationConstants.LSN, String.class));
        }
        apply(events);
    }

    private synchronized void startBackfill(String table, String attempt) {
        if (!attempt.equals(backfills.put(table, attempt))) {
            tables.remove(table);
            anomalies.remove(table);
            sinceBackfill.put(table, new int[2]);
        }
    }

    /** Snapshot rows applied since the table's last backfill attempt began. */
    public synchronized int backfillRows(String table) {
        return sinceBackfill.getOrDefault(table, new int[2])[0];
    }

    /** Streamed events applied since the table's last backfill attempt began. */
    public synchronized int changesSinceBackfill(String table) {
        return sinceBackfill.getOrDefault(table, new int[2])[1];
    }

    /** The backfill attempt ({@code id@point}) whose snapshot rows last replaced a table, or null. */
    public synchronized String backfillOf(String table) {
        return backfills.get(table);
    }

    public synchronized void apply(List<ChangeEvent> events) {
        for (ChangeEvent e : events) {
            List<String> anomalies = this.anomalies.computeIfAbsent(e.getTable(), k -> new ArrayList<>());
            int[] since = sinceBackfill.get(e.getTable());
            if (since != null) {
                since["snapshot".equals(e.getOp()) ? 0 : 1]++;
            }
            Map<Map<String, Object>, Map<String, Object>> rows = tables.computeIfAbsent(e.getTable(),
                    k -> new HashMap<>());
            Map<String, Object> key = new HashMap<>(e.getKey());
            switch (e.getOp()) {
                case "snapshot", "insert" -> {
                    if (rows.put(keyOf(e.getAfter(), key), e.getAfter()) != null) {
                        anomalies.add("doubled " + e);
                    }
                }
                case "update" -> {
                    if (rows.remove(key) == null) {
                        anomalies.add("update of a row never seen " + e);
                    }
                    rows.put(keyOf(e.getAfter(), key), e.getAfter());
                }
                case "delete" -> {
                    if (rows.remove(key) == null) {
                        anomalies.add("delete of a row never seen " + e);
                    }
                }
                default -> anomalies.add("unexpected " + e);
            }
        }
    }

    private static Map<String, Object> keyOf(Map<String, Object> row, Map<String, Object> key) {
        Map<String, Object> k = new HashMap<>();
        for (String column : key.keySet()) {
            k.put(column, row.get(column));
        }
        return k;
    }

    /** The rows of a table (by table name), as a map from key to row. */
    public synchronized Map<Map<String, Object>, Map<String, Object>> table(String table) {
        return new HashMap<>(tables.getOrDefault(table, Map.of()));
    }

    public synchronized List<String> anomalies() {
        List<String> all = new ArrayList<>();
        anomalies.values().forEach(all::addAll);
        return all;
    }

    /** Loads a table's current rows, as a sink loaded before streaming began would hold them. */
    public synchronized void load(TestDatabase db, String table, String... keyColumns) throws Exception {
        tables.put(table, source(db, table, keyColumns));
    }

    /** The source table read with plain JDBC, in the same form, keyed by {@code keyColumns}. */
    public static Map<Map<String, Object>, Map<String, Object>> source(TestDatabase db, String table,
                                                                        String... keyColumns) throws Exception {
        Map<Map<String, Object>, Map<String, Object>> rows = new HashMap<>();
        try (var c = db.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM "
                                                                                              + table)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnName(i), rs.getObject(i));
                }
                Map<String, Object> key = new HashMap<>();
                for (String k : keyColumns) {
                    key.put(k, row.get(k));
                }
                rows.put(key, row);
            }
        }
        return rows;
    }

    /** Up to 20 keys whose rows differ: missing, unexpected or with other values. */
    public static <K, V> List<String> differences(Map<K, V> source, Map<K, V> replica) {
        List<String> out = new ArrayList<>();
        for (var e : source.entrySet()) {
            V copy = replica.get(e.getKey());
            if (!e.getValue().equals(copy)) {
                out.add(e.getKey() + ": source " + e.getValue() + ", replica " + copy);
            }
        }
        for (var key : replica.keySet()) {
            if (!source.containsKey(key)) {
                out.add(key + ": not in the source, replica " + replica.get(key));
            }
        }
        return out.size() > 20 ? out.subList(0, 20) : out;
    }
}
