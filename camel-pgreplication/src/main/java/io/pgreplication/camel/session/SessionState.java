package io.pgreplication.camel.session;

import io.pgreplication.camel.admin.ReplicationSetup;

/**
 * What a session reports about itself: set-up, streaming, confirmed positions and errors. The consumer implements it
 * to log, to feed the health check and metrics, and to pass errors to Camel's exception handler.
 */
public interface SessionState {

    /** True once server objects were checked and created, so a reconnect does not repeat it. */
    boolean isSetUp();

    void onSetup(ReplicationSetup.Result result);

    /** The replication stream started. */
    void onStreaming(int serverVersion, int protocolVersion);

    /** Messages up to {@code lsn} were read from the server (reported now and then, not per message). */
    void onReceived(long lsn);

    /** The slot was confirmed up to {@code lsn}. */
    void onConfirmed(long lsn);

    /** The initial snapshot started ({@code true}) or ended, complete or not ({@code false}). */
    default void onSnapshot(boolean running) {
    }

    /**
     * The session ended by itself ({@code snapshotMode=initialOnly} after its snapshot); {@code reason} says why and
     * what happened to the slot.
     */
    default void onFinished(String reason) {
    }

    /** Connecting or streaming failed; the session retries after {@code delayMillis}. */
    void onError(Throwable error, int attempt, long delayMillis, boolean transientError);
}
