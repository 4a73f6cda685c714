package io.pgreplication.camel.it.memory;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A {@link LargeRowsChild} in a JVM of its own, with the heap given; its output lines collected as they come. */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private volatile boolean ended;

    ChildJvm(String heap, String uri, int expectedRows, long workMillis) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>(List.of(java, heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, LargeRowsChild.class.getName(), uri, String.valueOf(expectedRows),
                String.valueOf(workMillis)));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("READ FAILED " + e);
            }
            ended = true;
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The first line starting with {@code prefix}, waiting up to {@code timeout}; fails with the output so far. */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean over = ended || System.nanoTime() - deadline > 0;
            String line = line(prefix);
            if (line != null) {
                return line;
            }
            if (over) {
                throw new AssertionError("no line '" + prefix + "' from the child" + (ended ? " (it ended)"
                        : " in " + timeout) + ":\n" + tail());
            }
            Thread.sleep(100);
        }
    }

    List<String> lines() {
        return lines;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines, for a failure message. */
    String tail() {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private String line(String prefix) {
        for (String line : lines) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
