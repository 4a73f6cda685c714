package io.pgreplication.camel.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.pgreplication.camel.admin.SlotAdmin;
import io.pgreplication.camel.admin.SlotInfo;
import io.pgreplication.camel.server.ConnectionSettings;

/**
 * Notices a replication connection that is dead without knowing it (half-open: a NAT or firewall dropped it, the
 * server's walsender timed out). pgjdbc's read never times out, and the server sends nothing to an idle client that
 * keeps sending status updates, so silence alone proves nothing. After {@code wal_sender_timeout} of silence the
 * session asks the server, on a short-lived regular connection with timeouts, whether the slot is still streamed by
 * this connection's backend; if not (or the server cannot be reached) the stream is abandoned and reopened. Nothing is
 * lost: the slot is only confirmed at transaction ends the routes completed.
 */
final class StreamLiveness implements Liveness {

    private final ConnectionSettings settings;
    private final String slot;
    private final int backendPid;
    private final long silenceNanos;
    /** The check blocks the reader (no status updates meanwhile): a quarter of wal_sender_timeout, 1 to 10 s. */
    private final Duration checkTimeout;
    private long lastHeard = System.nanoTime();
    private long lastLsn;

    /** @param walSenderTimeout the server's; zero (disabled) counts as 60 s, and anything below 1 s as 1 s */
    StreamLiveness(ConnectionSettings settings, String slot, int backendPid, Duration walSenderTimeout) {
        this.settings = settings;
        this.slot = slot;
        this.backendPid = backendPid;
        long millis = walSenderTimeout.isZero() || walSenderTimeout.isNegative() ? 60_000
                : Math.max(1000, walSenderTimeout.toMillis());
        this.silenceNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        this.checkTimeout = Duration.ofSeconds(Math.max(1, Math.min(10, millis / 1000 / 4)));
    }

    @Override
    public void onIdle(boolean heardSinceLastIdle, long lastReceivedLsn) throws SQLException {
        long now = System.nanoTime();
        if (heardSinceLastIdle || lastReceivedLsn != lastLsn) {
            lastHeard = now;
            lastLsn = lastReceivedLsn;
            return;
        }
        if (now - lastHeard < silenceNanos) {
            return;
        }
        lastHeard = now;
        Integer activePid;
        try (Connection connection = settings.openRegular("camel-pgreplication liveness " + slot, checkTimeout)) {
            activePid = new SlotAdmin(connection).slot(slot).map(SlotInfo::activePid).orElse(null);
        } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith("08")) {
                return; // the server answered (e.g. too many connections): no evidence against the stream
            }
            throw new SQLException("slot=" + slot + ": nothing heard from the server for "
                                   + TimeUnit.NANOSECONDS.toSeconds(silenceNanos) + " s and it cannot be reached ("
                                   + e.getMessage() + "); reconnecting", "08006", e);
        }
        if (activePid == null || activePid != backendPid) {
            throw new SQLException("slot=" + slot + ": nothing heard from the server for "
                                   + TimeUnit.NANOSECONDS.toSeconds(silenceNanos) + " s and the slot is no longer"
                                   + " streamed by this connection (its walsender PID " + backendPid + ", the slot's"
                                   + " active_pid " + activePid + "): the connection is half-open; reconnecting",
                    "08006");
        }
    }
}
