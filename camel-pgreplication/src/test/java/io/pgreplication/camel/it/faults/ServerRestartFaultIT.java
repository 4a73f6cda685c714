package io.pgreplication.camel.it.faults;

import org.junit.jupiter.api.Test;

/**
 * PostgreSQL restarted under a streaming consumer: fast shutdown, immediate shutdown (crash recovery), and a SIGKILL of
 * the walsender, after which the postmaster resets every backend. Only on a server the tests own. (Restarts while
 * snapshotting: SnapshotRestartFaultIT.)
 */
class ServerRestartFaultIT extends FaultITSupport {

    @Test
    void aFastRestartWhileStreamingLosesNothing() throws Exception {
        restartRounds("PostgreSQL restart -m fast while streaming", server -> server.restart("fast"));
    }

    @Test
    void anImmediateRestartWhileStreamingLosesNothing() throws Exception {
        restartRounds("PostgreSQL restart -m immediate while streaming", server -> server.restart("immediate"));
    }

    @Test
    void aKilledWalsenderCrashRestartLosesNothing() throws Exception {
        restartRounds("walsender SIGKILL (postmaster crash-restart)", server -> server.killBackend(walsenderPid()));
    }

    private void restartRounds(String fault, Fault fault1) throws Exception {
        OwnedServer server = new OwnedServer(db);
        startWorkload();
        startSinkRoute(faultUri(""), "restart");
        for (int round = 0; round < ROUNDS; round++) {
            awaitStreaming();
            writeMore(100 + randomMillis(0, 300));
            fault1.inject(server);
        }
        writeMore(200);
        finish(fault, ROUNDS);
    }

    /**
     * The slot's walsender PID, waiting for one: right after an earlier round the consumer may be between two
     * connections, when the slot has no active PID.
     */
    private int walsenderPid() {
        String sql = "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'";
        String[] pid = new String[1];
        await().until(() -> (pid[0] = db.queryString(sql)) != null);
        return Integer.parseInt(pid[0]);
    }

    @FunctionalInterface
    private interface Fault {
        void inject(OwnedServer server) throws Exception;
    }
}
