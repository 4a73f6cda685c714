package io.pgreplication.camel.it.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.it.TestDatabase;

/**
 * A consumer main class ({@link FaultConsumerMain}, or another one) in a child JVM (current java, current class
 * path), its output in a file.
 */
public final class ConsumerProcess implements AutoCloseable {

    private final Process process;
    private final Path output;

    private ConsumerProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    public static ConsumerProcess start(TestDatabase db, String uri, String sink, String name, Path clusterRoot)
            throws IOException {
        List<String> args = new ArrayList<>(List.of(uri, db.jdbcUrl(), db.user(), sink, name));
        if (clusterRoot != null) {
            args.add(clusterRoot.toString());
        }
        return start(FaultConsumerMain.class.getName(), args, name, db);
    }

    /**
     * Any consumer main class of the current class path in a child JVM, given {@code db}'s password in the environment
     * variable {@code FAULTS_PASSWORD}; its output goes to {@code target/faults/<name>.out}.
     */
    public static ConsumerProcess start(String mainClass, List<String> args, String name, TestDatabase db)
            throws IOException {
        Path output = Path.of("target", "faults", name + ".out");
        Files.createDirectories(output.getParent());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        if (db.password() != null) {
            builder.environment().put("FAULTS_PASSWORD", db.password());
        }
        return new ConsumerProcess(builder.start(), output);
    }

    /**
     * Any main class of the fault suite in a child JVM ({@code -Xmx256m}, the test class path), its output in
     * {@code target/faults/<name>.out}; the password goes in the environment variable {@code FAULTS_PASSWORD}.
     */
    public static ConsumerProcess startMain(TestDatabase db, Class<?> main, String name, String... args)
            throws IOException {
        Path output = Path.of("target", "faults", name + ".out");
        Files.createDirectories(output.getParent());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        if (db.password() != null) {
            builder.environment().put("FAULTS_PASSWORD", db.password());
        }
        return new ConsumerProcess(builder.start(), output);
    }

    /** SIGKILL: no shutdown hook, no final status update, sockets closed by the kernel. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the process printed so far. */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM: the shutdown hook stops the CamelContext, which confirms what completed. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
