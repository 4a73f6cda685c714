package io.pgreplication.camel.server;

/**
 * A problem only an operator can fix: wrong server settings, missing privileges or objects, a bad option.
 * The message names the problem and the fix. Retrying without a change does not help, so it fails the route's start.
 */
public class PgReplicationSetupException extends RuntimeException {

    public PgReplicationSetupException(String message) {
        super(message);
    }

    public PgReplicationSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
