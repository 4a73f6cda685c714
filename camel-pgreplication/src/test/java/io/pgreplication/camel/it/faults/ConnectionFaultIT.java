package io.pgreplication.camel.it.faults;

import java.util.Properties;

import io.pgreplication.camel.it.TestDatabase;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

import static org.assertj.core.api.Assertions.assertThat;

/** The replication connection cut, or left half-open, by a TCP proxy between the consumer and PostgreSQL. */
class ConnectionFaultIT extends FaultITSupport {

    @Test
    void aCutConnectionLosesNothing() throws Exception {
        try (TcpProxy proxy = proxy()) {
            startWorkload();
            startSinkRoute(throughProxy(faultUri(""), proxy, db.jdbcUrl()), "cut");
            for (int round = 0; round < ROUNDS; round++) {
                awaitStreaming();
                writeMore(100 + randomMillis(0, 300));
                proxy.cut();
            }
            writeMore(200);
            finish("replication connection cut (TCP proxy closes both sides)", ROUNDS);
        }
    }

    /**
     * A half-open connection: the proxy keeps both sockets open but forwards nothing. The server's walsender gives up
     * after wal_sender_timeout (2 s for this role); the client hears nothing at all, and only notices because the
     * session asks the server whether the slot is still streamed by its backend (StreamLiveness).
     */
    @Test
    void aHalfOpenConnectionIsNoticedAndReplacedWithoutLoss() throws Exception {
        String role = TestDatabase.uniqueName("halfopen_role");
        db.execute("CREATE ROLE " + role + " LOGIN REPLICATION SUPERUSER PASSWORD 'pw'",
                "ALTER ROLE " + role + " SET wal_sender_timeout = '2s'");
        try (TcpProxy proxy = proxy()) {
            startWorkload();
            String uri = throughProxy(faultUri(""), proxy, db.jdbcUrl())
                    .replace("&user=" + db.user(), "&user=" + role + "&password=pw");
            startSinkRoute(uri, "halfopen");
            for (int round = 0; round < ROUNDS; round++) {
                awaitStreaming();
                writeMore(100 + randomMillis(0, 300));
                String frozen = activePid();
                proxy.freeze();
                await().until(() -> {
                    String now = activePid();
                    return now != null && !now.equals(frozen);
                });
            }
            writeMore(200);
            finish("replication connection half-open (TCP proxy stops forwarding)", ROUNDS);
        } finally {
            for (var c : contexts) {
                c.stop();
            }
            db.execute("DROP ROLE IF EXISTS " + role);
        }
    }

    private String activePid() {
        return db.queryString("SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }

    private TcpProxy proxy() throws Exception {
        Properties p = Driver.parseURL(db.jdbcUrl(), new Properties());
        assertThat(p).as("a JDBC URL with host and port").isNotNull();
        return new TcpProxy(p.getProperty("PGHOST"), Integer.parseInt(p.getProperty("PGPORT")));
    }

    private static String throughProxy(String uri, TcpProxy proxy, String jdbcUrl) {
        String proxied = jdbcUrl.replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/");
        assertThat(uri).contains(jdbcUrl);
        return uri.replace(jdbcUrl, proxied);
    }
}
