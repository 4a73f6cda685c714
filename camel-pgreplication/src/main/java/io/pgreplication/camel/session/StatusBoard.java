package io.pgreplication.camel.session;

import java.util.function.UnaryOperator;

import io.pgreplication.camel.lsn.Lsn;

/**
 * Where a session publishes its {@link SessionStatus}: one volatile reference, written only by the session's thread
 * (so an update needs no lock), read by any thread.
 */
final class StatusBoard {

    private volatile SessionStatus current = SessionStatus.STARTING;

    SessionStatus current() {
        return current;
    }

    void update(UnaryOperator<SessionStatus> change) {
        current = change.apply(current);
    }

    /** Publishes the newest received position when it moved (it is read every 256 messages and when idle). */
    void received(long lsn) {
        SessionStatus now = current;
        if (now.received().value() != lsn) {
            current = now.receivedAt(Lsn.of(lsn));
        }
    }
}
