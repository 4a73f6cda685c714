package io.pgreplication.camel.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.PgReplicationConstants;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 1,000,000-row table backfilled while streaming, by a consumer in a child JVM with {@code -Xmx256m}, the request
 * made from this JVM: every row arrives exactly once, and the slot passes the request once the backfill completed.
 */
class LargeBackfillIT extends ReplicationITSupport {

    private static final int ROWS = 1_000_000;
    private String table;

    @AfterEach
    void dropTable() {
        if (table != null) {
            db.execute("DROP TABLE IF EXISTS " + table);
        }
    }

    @Test
    void aMillionRowTableIsBackfilledInParallelChunksWithin256Mb() throws Exception {
        table = TestDatabase.uniqueName("bigbf");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, a int, b text, c timestamptz)",
                "INSERT INTO " + table + " SELECT g, g % 1000, md5(g::text), now() FROM generate_series(1, " + ROWS
                + ") g", "ANALYZE " + table);
        String uri = uri("tables=" + table + "&snapshotParallelism=2&batchSize=1000&statusInterval=1s");
        Process child = child(uri);
        List<String> output = new CopyOnWriteArrayList<>();
        try {
            CompletableFuture<String> done = readUntil(child, "DONE", output);
            awaitStreaming();
            try (CamelContext context = new DefaultCamelContext()) {
                context.start();
                Exchange reply = context.createProducerTemplate().request(uri("operation=backfill&tables=" + table),
                        e -> {
                        });
                assertThat(reply.getException()).isNull();
                assertThat(reply.getMessage().getHeader(PgReplicationConstants.BACKFILL, String.class)).isNotNull();
            }
            String afterCommit = db.queryString("SELECT pg_current_wal_insert_lsn()::text");
            String[] figures = done.get(5, TimeUnit.MINUTES).split(" ");
            assertThat(Long.parseLong(figures[1])).as("rows delivered").isEqualTo(ROWS);
            assertThat(Long.parseLong(figures[2])).as("distinct ids").isEqualTo(ROWS);
            assertThat(Long.parseLong(figures[3])).as("duplicates").isZero();
            await().until(() -> lsnDiff(confirmed(), afterCommit) >= 0);
            assertThat(output).noneMatch(l -> l.contains("OutOfMemoryError"));
        } finally {
            child.destroy();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private Process child(String uri) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        return new ProcessBuilder(java, "-Xmx256m", "-cp", classpath, BackfillChild.class.getName(), uri,
                String.valueOf(ROWS)).redirectErrorStream(true).start();
    }

    /** Collects the child's output; completes with the first line starting with {@code prefix}. */
    private static CompletableFuture<String> readUntil(Process process, String prefix, List<String> lines) {
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith(prefix)) {
                        found.complete(line);
                    }
                }
                found.completeExceptionally(new IllegalStateException("child ended without '" + prefix + "': "
                                                                      + lines));
            } catch (java.io.IOException e) {
                found.completeExceptionally(e);
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        return found;
    }
}
