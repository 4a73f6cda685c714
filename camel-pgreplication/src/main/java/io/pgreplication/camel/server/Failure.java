package io.pgreplication.camel.server;

/**
 * A failure to set up, connect or stream, sorted once: transient (goes away by itself) or needing an operator (a
 * setting, a privilege, a lost slot); {@code error} is the explained failure, with the fix in its message where one is
 * known.
 */
public record Failure(Throwable error, Kind kind) {

    public enum Kind {
        /** Connection lost or refused, server restarting or full, slot still held: retried with backoff. */
        TRANSIENT,
        /** Only an operator can fix it; the session keeps retrying so that a fix is picked up by itself. */
        NEEDS_OPERATOR
    }

    /** Explains and sorts a failure of the stream of {@code slot}. */
    public static Failure of(String slot, String publication, Throwable e) {
        Throwable explained = Errors.explainStreamFailure(slot, publication, e);
        return new Failure(explained, Errors.isTransient(explained) ? Kind.TRANSIENT : Kind.NEEDS_OPERATOR);
    }

    public boolean isTransient() {
        return kind == Kind.TRANSIENT;
    }
}
