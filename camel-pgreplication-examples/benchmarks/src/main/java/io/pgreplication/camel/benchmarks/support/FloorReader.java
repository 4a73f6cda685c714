package io.pgreplication.camel.benchmarks.support;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.examples.EmbeddedServer;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The client-side floor the component is measured against (docs/benchmarks.md): a reader that does as little as
 * possible with the same pgoutput stream. {@code pg_recvlogical} when it is on the PATH, otherwise (or with
 * {@code -Dbench.floor=jdbc}) a bare pgjdbc replication stream that only counts messages.
 */
public abstract class FloorReader {

    /** One timed read of a slot up to the end LSN; {@code rows} is -1 when the reader cannot count them. */
    public record Timing(String reader, long rows, double seconds, double clientCpuSeconds) {
    }

    public abstract String name();

    /** Reads {@code slot} of {@code publication} up to {@code endLsn} and confirms it there. */
    public abstract Timing read(EmbeddedServer server, String slot, String publication, int protocol, long endLsn)
            throws Exception;

    /** {@code auto} (pg_recvlogical when found), {@code recvlogical} or {@code jdbc}. */
    public static FloorReader choose(String choice) {
        Path recvlogical = findOnPath("pg_recvlogical");
        switch (choice) {
            case "jdbc":
                return new Jdbc();
            case "recvlogical":
                if (recvlogical == null) {
                    throw new IllegalStateException("-Dbench.floor=recvlogical but pg_recvlogical is not on the PATH");
                }
                return new RecvLogical(recvlogical);
            case "auto":
                return recvlogical != null ? new RecvLogical(recvlogical) : new Jdbc();
            default:
                throw new IllegalArgumentException("bench.floor must be auto, recvlogical or jdbc, not " + choice);
        }
    }

    static Path findOnPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** CPU seconds of child processes this JVM has waited for (Linux /proc), or -1 elsewhere. */
    static double reapedChildrenCpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17 (1-based).
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** pg_recvlogical writing to /dev/null: next to no client work, so it measures the walsender. */
    public static final class RecvLogical extends FloorReader {
        private final Path executable;

        RecvLogical(Path executable) {
            this.executable = executable;
        }

        @Override
        public String name() {
            return "pg_recvlogical";
        }

        public String version() throws IOException, InterruptedException {
            Process p = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out;
        }

        @Override
        public Timing read(EmbeddedServer server, String slot, String publication, int protocol, long endLsn)
                throws Exception {
            List<String> command = new ArrayList<>(List.of(executable.toString(),
                    "-d", server.libpqConnection(), "-S", slot, "--start", "--no-loop",
                    "-F", "0", "-E", LogSequenceNumber.valueOf(endLsn).asString(),
                    "-o", "proto_version=" + protocol, "-o", "publication_names=" + publication,
                    "-f", "/dev/null"));
            ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
            if (server.password() != null) {
                pb.environment().put("PGPASSWORD", server.password());
            }
            double cpuBefore = reapedChildrenCpuSeconds();
            long began = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("pg_recvlogical did not reach " + endLsn + " within 30 minutes");
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            if (p.exitValue() != 0) {
                throw new IllegalStateException("pg_recvlogical failed with exit code " + p.exitValue() + ": " + command);
            }
            double cpuAfter = reapedChildrenCpuSeconds();
            return new Timing(name(), -1, seconds, cpuBefore < 0 ? -1 : cpuAfter - cpuBefore);
        }
    }

    /**
     * A pgjdbc replication stream with automatic flush off that only counts Insert messages, then confirms the end
     * once, like pg_recvlogical does on exit. Runs in this JVM, so it pays the same driver costs as the component.
     */
    public static final class Jdbc extends FloorReader {
        @Override
        public String name() {
            return "pgjdbc reader";
        }

        @Override
        public Timing read(EmbeddedServer server, String slot, String publication, int protocol, long endLsn)
                throws Exception {
            double cpuBefore = JvmCpu.seconds();
            long began = System.nanoTime();
            long inserts = 0;
            try (Connection c = server.connectReplication(null)) {
                PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI()
                        .replicationStream().logical()
                        .withSlotName(slot)
                        .withSlotOption("proto_version", protocol)
                        .withSlotOption("publication_names", publication)
                        .withStatusInterval(10, TimeUnit.SECONDS) // pg_recvlogical's default cadence
                        .withAutomaticFlush(false)
                        .start();
                boolean inTransaction = false;
                // Done at the end LSN, but only between transactions: the walsender's keepalives carry the WAL
                // position it has read, which passes the end LSN while the last transaction is still being sent.
                while (inTransaction || Long.compareUnsigned(stream.getLastReceiveLSN().asLong(), endLsn) < 0) {
                    ByteBuffer payload = stream.readPending();
                    if (payload == null) {
                        TimeUnit.MICROSECONDS.sleep(200);
                        continue;
                    }
                    byte type = payload.get(payload.position());
                    if (type == 'I') {
                        inserts++;
                    } else if (type == 'B') {
                        inTransaction = true;
                    } else if (type == 'C') {
                        inTransaction = false;
                    }
                }
                LogSequenceNumber end = LogSequenceNumber.valueOf(endLsn);
                stream.setFlushedLSN(end);
                stream.setAppliedLSN(end);
                stream.forceUpdateStatus();
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            return new Timing(name(), inserts, seconds, JvmCpu.seconds() - cpuBefore);
        }
    }
}
