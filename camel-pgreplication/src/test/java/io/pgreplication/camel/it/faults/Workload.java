package io.pgreplication.camel.it.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import io.pgreplication.camel.it.TestDatabase;

/**
 * The continuous writer workload of the fault tests. Each writer owns a range of keys and commits, in a loop, upserts
 * {@code INSERT (k, 1) ... ON CONFLICT DO UPDATE SET seq = seq + 1}, sometimes several in one transaction. So a key's
 * final {@code seq} S proves that changes 1..S of it were committed: the ground truth is the source table itself,
 * whatever the faults did to the writers (they reconnect and carry on after any error).
 */
public final class Workload implements AutoCloseable {

    private final TestDatabase db;
    private final String table;
    private final int keysPerWriter;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean running = true;

    public Workload(TestDatabase db, String table, int writers, int keysPerWriter) {
        this.db = db;
        this.table = table;
        this.keysPerWriter = keysPerWriter;
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread t = new Thread(() -> write(writer), "writer-" + table + "-" + w);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    /** Creates the source table ({@code id, seq}) and its durable sink table ({@code id, seq, consumer}). */
    public static void createTables(TestDatabase db, String table, String sink) {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, seq int NOT NULL)",
                "CREATE TABLE " + sink + " (id int NOT NULL, seq int NOT NULL, consumer text NOT NULL)");
    }

    public Workload start() {
        threads.forEach(Thread::start);
        return this;
    }

    /** Transactions committed so far (as far as the writers know). */
    public long commits() {
        return commits.get();
    }

    private void write(int writer) {
        Random random = new Random(writer * 7919L + System.nanoTime());
        Connection c = null;
        String sql = "INSERT INTO " + table + " (id, seq) VALUES (?, 1) ON CONFLICT (id) DO UPDATE SET seq = "
                     + table + ".seq + 1";
        while (running) {
            try {
                if (c == null) {
                    c = db.connect();
                    try (Statement st = c.createStatement()) {
                        st.execute("SET synchronous_commit = on");
                    }
                    c.setAutoCommit(false);
                }
                int statements = random.nextInt(10) == 0 ? 1 + random.nextInt(5) : 1;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 0; i < statements; i++) {
                        ps.setInt(1, writer * keysPerWriter + random.nextInt(keysPerWriter));
                        ps.executeUpdate();
                    }
                }
                c.commit();
                commits.incrementAndGet();
                Thread.sleep(2);
            } catch (SQLException e) {
                errors.incrementAndGet();
                close(c);
                c = null;
                pause(100);
            } catch (InterruptedException e) {
                break;
            }
        }
        close(c);
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // gone either way
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
