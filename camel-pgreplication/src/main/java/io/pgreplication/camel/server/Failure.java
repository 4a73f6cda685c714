package io.pgreplication.camel.server;

/**
 * A failure to set up, connect or stream, sorted once: transient (goes away by itself), needing an operator (a
 * setting, a privilege, a lost slot), or fatal (an {@link Error} of the JVM); {@code error} is the explained failure,
 * with the fix in its message where one is known.
 */
public record Failure(Throwable error, Kind kind) {

    public enum Kind {
        /** Connection lost or refused, server restarting or full, slot still held: retried with backoff. */
        TRANSIENT,
        /** Only an operator can fix it; the session keeps retrying so that a fix is picked up by itself. */
        NEEDS_OPERATOR,
        /**
         * An {@link Error} (OutOfMemoryError, StackOverflowError, ...): never retried, since a retry would meet the
         * same limit again (or run in a JVM that is no longer sound); the session stops.
         */
        FATAL
    }

    /** Explains and sorts a failure of the stream of {@code slot}. */
    public static Failure of(String slot, String publication, Throwable e) {
        if (Errors.isFatal(e)) {
            return new Failure(e, Kind.FATAL);
        }
        Throwable explained = Errors.explainStreamFailure(slot, publication, e);
        return new Failure(explained, Errors.isTransient(explained) ? Kind.TRANSIENT : Kind.NEEDS_OPERATOR);
    }

    public boolean isTransient() {
        return kind == Kind.TRANSIENT;
    }

    public boolean isFatal() {
        return kind == Kind.FATAL;
    }
}
