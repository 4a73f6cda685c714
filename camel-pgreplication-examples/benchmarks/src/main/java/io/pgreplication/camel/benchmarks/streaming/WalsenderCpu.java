package io.pgreplication.camel.benchmarks.streaming;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import io.pgreplication.camel.examples.EmbeddedServer;

/**
 * Samples the CPU time of the walsender serving a slot while a reader runs: when
 * the walsender is busy for the whole run, the server, not the client, sets the pace. Only works when the server
 * runs on this machine (Linux /proc); the walsender exits with its connection, so the last sample is kept.
 */
final class WalsenderCpu implements AutoCloseable {

    private final Thread sampler;
    private volatile boolean running = true;
    private volatile double seconds = -1;

    private WalsenderCpu(EmbeddedServer server, String slot) {
        sampler = new Thread(() -> sample(server, slot), "walsender-cpu-" + slot);
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts sampling the walsender of {@code slot}; a no-op sampler for a server elsewhere. */
    static WalsenderCpu watch(EmbeddedServer server, String slot) {
        return new WalsenderCpu(server, slot);
    }

    /** CPU seconds of the walsender at the last sample, or -1 when it could not be observed. */
    double seconds() {
        return seconds;
    }

    private void sample(EmbeddedServer server, String slot) {
        if (!server.isEmbedded() || !Files.isDirectory(Path.of("/proc/self"))) {
            return;
        }
        try (Connection c = server.connect();
             PreparedStatement ps = c.prepareStatement("SELECT active_pid FROM pg_replication_slots"
                                                       + " WHERE slot_name = ? AND active")) {
            ps.setString(1, slot);
            int pid = 0;
            while (running && pid == 0) {
                try (ResultSet rs = ps.executeQuery()) {
                    pid = rs.next() ? rs.getInt(1) : 0;
                }
                if (pid == 0) {
                    Thread.sleep(10);
                }
            }
            Path stat = Path.of("/proc", String.valueOf(pid), "stat");
            while (running) {
                String s = Files.readString(stat);
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                // utime and stime (fields 14 and 15, 1-based) in clock ticks of 1/100 s.
                seconds = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
                Thread.sleep(20);
            }
        } catch (Exception e) {
            // The walsender exited (its last sample stands) or the server is not observable: nothing to report.
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.join(1000);
    }
}
