package io.pgreplication.camel.session;

import io.pgreplication.camel.lsn.Lsn;

/**
 * What a session is doing, as one immutable value: published by the session's thread, read whole by the health check,
 * JMX and the dev console, so none of them sees half of an update.
 *
 * @param state           what the session does now
 * @param protocolVersion the pgoutput protocol version of the current (or last) stream; 0 before the first
 * @param confirmed       the position the slot was last confirmed to
 * @param received        the WAL position of the newest message read from the server (updated now and then)
 * @param lastError       the last failure since the stream last started, or null
 * @param failedAttempts  failed attempts to connect or stream since the last successful one
 * @param backfill        the online backfill being read now ({@code id of [tables]}), or null
 */
public record SessionStatus(State state, int protocolVersion, Lsn confirmed, Lsn received, Throwable lastError,
        int failedAttempts, String backfill) {

    public enum State {
        /** Setting up and connecting, the first time. */
        STARTING,
        /** Taking the initial snapshot; the slot does not exist until it completes. */
        SNAPSHOT,
        /** The replication stream runs. */
        STREAMING,
        /** Waiting to try again after a failure ({@code lastError}). */
        RETRYING,
        /** Ended by itself: {@code snapshotMode=initialOnly} after its snapshot. */
        FINISHED,
        /**
         * Stopped by an {@link Error} ({@code lastError}, e.g. an OutOfMemoryError), which is never retried: nothing
         * is streamed until the route is restarted.
         */
        FAILED,
        /** Stopped. */
        STOPPED
    }

    /** A session that has not started yet. */
    public static final SessionStatus STARTING = new SessionStatus(State.STARTING, 0, Lsn.INVALID, Lsn.INVALID, null,
            0, null);

    public boolean isStreaming() {
        return state == State.STREAMING;
    }

    SessionStatus inState(State next) {
        return new SessionStatus(next, protocolVersion, confirmed, received, lastError, failedAttempts, backfill);
    }

    /** The stream started: the failures before it are forgotten. */
    SessionStatus streaming(int protocol) {
        return new SessionStatus(State.STREAMING, protocol, confirmed, received, null, 0, null);
    }

    SessionStatus failed(Throwable error, int attempt) {
        return new SessionStatus(State.RETRYING, protocolVersion, confirmed, received, error, attempt, null);
    }

    /** Stopped for good by {@code error}. */
    SessionStatus stoppedBy(Throwable error) {
        return new SessionStatus(State.FAILED, protocolVersion, confirmed, received, error, failedAttempts + 1, null);
    }

    /** After a snapshot that did not make the slot: waiting for the next attempt. */
    SessionStatus snapshotEnded() {
        return inState(lastError == null ? State.STARTING : State.RETRYING);
    }

    SessionStatus confirmedAt(Lsn lsn) {
        return new SessionStatus(state, protocolVersion, lsn, received, lastError, failedAttempts, backfill);
    }

    /** A backfill started ({@code backfill} describes it) or ended (null). */
    SessionStatus backfilling(String backfill) {
        return new SessionStatus(state, protocolVersion, confirmed, received, lastError, failedAttempts, backfill);
    }

    SessionStatus receivedAt(Lsn lsn) {
        return new SessionStatus(state, protocolVersion, confirmed, lsn, lastError, failedAttempts, backfill);
    }
}
