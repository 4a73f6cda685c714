package io.pgreplication.camel.session;

import java.time.Duration;

import io.pgreplication.camel.server.Failure;

/** What a session tells its owner, besides its status: a failure to act on, and its own end. */
public interface SessionListener {

    /** Setting up, connecting or streaming failed; the session tries again after {@code delay}. */
    void onFailure(Failure failure, int attempt, Duration delay);

    /**
     * An {@link Error} stopped the session for good ({@link Failure.Kind#FATAL}): it does not retry, and
     * {@code failure.error()} says what happened, what was confirmed and what to change.
     */
    void onStopped(Failure failure);

    /**
     * The session ended by itself ({@code snapshotMode=initialOnly} after its snapshot); {@code reason} says why and
     * what happened to the slot.
     */
    void onFinished(String reason);
}
