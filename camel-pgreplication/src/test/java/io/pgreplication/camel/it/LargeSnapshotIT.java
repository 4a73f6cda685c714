package io.pgreplication.camel.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 1,000,000-row table read in parallel chunks by a consumer in a child JVM with {@code -Xmx256m}. The first child
 * is killed with {@code destroyForcibly()} (SIGKILL: no shutdown hook, no route stop, sockets closed by the OS) in
 * the middle of the snapshot; the server must be left without the slot, and a second child must take the whole
 * snapshot again, every row exactly once.
 */
class LargeSnapshotIT extends ReplicationITSupport {

    private static final int ROWS = 1_000_000;

    @Test
    void aMillionRowsInParallelChunksWith256MbAndAKillMidSnapshotRedoesTheSnapshot() throws Exception {
        String t = TestDatabase.uniqueName("big");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, a int, b text, c timestamptz)",
                "INSERT INTO " + t + " SELECT g, g % 1000, md5(g::text), now() FROM generate_series(1, " + ROWS
                + ") g", "ANALYZE " + t);
        String uri = uri("tables=" + t + "&snapshotMode=initialOnly&snapshotParallelism=2&batchSize=1000");

        Process killed = child(uri);
        List<String> killedOutput = new ArrayList<>();
        readUntil(killed, "ROWS 200000", killedOutput);
        killed.destroyForcibly();
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(killedOutput).noneMatch(l -> l.startsWith("DONE"));
        await().until(() -> db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '" + slot
                                           + "%'").equals("0"));

        Process complete = child(uri);
        List<String> output = new ArrayList<>();
        String done = readUntil(complete, "DONE", output);
        assertThat(complete.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String[] figures = done.split(" ");
        assertThat(Long.parseLong(figures[1])).as("rows delivered").isEqualTo(ROWS);
        assertThat(Long.parseLong(figures[2])).as("distinct ids").isEqualTo(ROWS);
        assertThat(Long.parseLong(figures[3])).as("duplicates").isZero();
        assertThat(Long.parseLong(figures[4])).as("child max heap MB").isLessThanOrEqualTo(256);
        assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .isEqualTo("1");
    }

    private Process child(String uri) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        return new ProcessBuilder(java, "-Xmx256m", "-cp", classpath, SnapshotChild.class.getName(), uri,
                String.valueOf(ROWS)).redirectErrorStream(true).start();
    }

    /** Reads the child's output until a line starts with {@code prefix}; fails after 3 minutes. */
    private static String readUntil(Process process, String prefix, List<String> lines) throws Exception {
        CompletableFuture<String> found = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                throw new IllegalStateException("child ended without '" + prefix + "': " + lines);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return found.get(3, TimeUnit.MINUTES);
    }
}
