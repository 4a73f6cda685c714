package io.pgreplication.camel.it;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer thread for a table {@code (id int primary key, version int, payload text)} holding keys 1..keys: inserts
 * new keys, deletes, changes keys and updates rows, one statement per transaction, a few hundred a second, until
 * closed. It reconnects after an error (a server restart), so the table stays the ground truth.
 */
public final class RowWriter implements AutoCloseable {

    private final TestDatabase db;
    private final String table;
    private final int keys;
    private final AtomicInteger nextId = new AtomicInteger(1_000_000);
    private final AtomicLong commits = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    public RowWriter(TestDatabase db, String table, int keys) {
        this.db = db;
        this.table = table;
        this.keys = keys;
        this.thread = new Thread(this::write, "writer-" + table);
        this.thread.setDaemon(true);
    }

    /** Creates the table with {@code rows} rows. */
    public static void createTable(TestDatabase db, String table, int rows) {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, version int NOT NULL, payload text)",
                "INSERT INTO " + table + " SELECT g, 0, md5(g::text) FROM generate_series(1, " + rows + ") g");
    }

    public RowWriter start() {
        thread.start();
        return this;
    }

    public long commits() {
        return commits.get();
    }

    private void write() {
        while (running) {
            try (var c = db.connect(); var st = c.createStatement()) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (running) {
                    int key = r.nextInt(1, keys + 1);
                    switch (r.nextInt(4)) {
                        case 0 -> st.execute("INSERT INTO " + table + " VALUES (" + nextId.incrementAndGet()
                                             + ", 0, 'new')");
                        case 1 -> st.execute("DELETE FROM " + table + " WHERE id = " + key);
                        case 2 -> st.execute("UPDATE " + table + " SET id = " + nextId.incrementAndGet()
                                             + " WHERE id = " + key);
                        default -> st.execute("UPDATE " + table + " SET version = version + 1, payload = md5(random()"
                                              + "::text) WHERE id = " + key);
                    }
                    commits.incrementAndGet();
                    Thread.sleep(3);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                sleep(100); // the server restarts: write on once it is back
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
