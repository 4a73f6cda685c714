package io.pgreplication.camel.it.faults;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The server out of connections (max_connections reached): the consumer retries with backoff, streams once freed. */
class OutOfConnectionsFaultIT extends FaultITSupport {

    @Test
    void aConsumerStartedOnAFullServerRetriesAndStreamsOnceConnectionsAreFreed() throws Exception {
        assumeFalse("external".equals(db.kind()), "the test does not exhaust the connections of a shared server");
        startWorkload();
        writeMore(50);
        CamelContext current = null;
        for (int round = 0; round < ROUNDS; round++) {
            if (current != null) {
                current.stop();
                // Its backends exit after the stop returned; one that exits while the server is being filled would
                // free a slot for the next consumer. Fill only once they are gone.
                await().until(() -> "0".equals(db.queryString("SELECT count(*) FROM pg_stat_activity WHERE"
                                                              + " application_name LIKE 'camel-pgreplication %" + slot
                                                              + "'")));
            }
            List<Connection> held = fill();
            // Backends of other tests or rounds may still exit: the keeper takes every slot they free at once, so
            // the consumer keeps finding the server full until the test lets go.
            Keeper keeper = new Keeper(held);
            keeper.start();
            try {
                CamelContext context = startSinkRoute(faultUri(""), "full-" + round);
                current = context;
                await().until(() -> consumer(context).getReconnectAttempts() >= 2);
                HealthCheck.Result down = health(context);
                assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
                assertThat(down.getMessage()).hasValueSatisfying(m -> assertThat(m).contains("too many clients"));
            } finally {
                keeper.stopAndJoin();
                for (Connection c : held) {
                    c.close();
                }
            }
            CamelContext context = current;
            await().until(() -> consumer(context).isStreaming());
            writeMore(100 + randomMillis(0, 200));
        }
        finish("server out of connections (max_connections reached)", ROUNDS);
    }

    /**
     * Opens connections until the server refuses with too_many_connections (53300) five times in a row, 200 ms
     * apart: backends of earlier tests or rounds that are still exiting free their slots meanwhile, and a slot
     * freed after the server looked full would let the consumer in at once.
     */
    private List<Connection> fill() throws SQLException, InterruptedException {
        List<Connection> held = new ArrayList<>();
        int refusedInARow = 0;
        try {
            while (refusedInARow < 5) {
                if (held.size() > 2000) {
                    throw new IllegalStateException("2000 connections and the server still accepts more");
                }
                try {
                    held.add(db.connect());
                    refusedInARow = 0;
                } catch (SQLException e) {
                    if (!"53300".equals(e.getSQLState())) {
                        throw e;
                    }
                    refusedInARow++;
                    Thread.sleep(200);
                }
            }
            return held;
        } catch (SQLException | RuntimeException | InterruptedException e) {
            for (Connection c : held) {
                c.close();
            }
            throw e;
        }
    }

    /** Grabs any connection slot that frees up while the server is meant to be full. */
    private final class Keeper extends Thread {
        private final List<Connection> held;
        private volatile boolean running = true;

        Keeper(List<Connection> held) {
            super("out-of-connections-keeper");
            this.held = held;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                try {
                    Connection c = db.connect();
                    synchronized (held) {
                        held.add(c);
                    }
                } catch (SQLException e) {
                    // full, as meant
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopAndJoin() throws InterruptedException {
            running = false;
            join(5_000);
        }
    }
}
