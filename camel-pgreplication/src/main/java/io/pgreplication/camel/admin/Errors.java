package io.pgreplication.camel.admin;

import java.io.IOException;
import java.sql.SQLException;

/** Sorts failures once: transient (retry with backoff) or needing an operator (fail, with the fix). */
public final class Errors {

    private Errors() {
    }

    /**
     * True for failures that go away by themselves: connection refused or lost, timeouts, a restarting or full
     * server, a slot still held by a walsender that has not exited.
     */
    public static boolean isTransient(Throwable t) {
        if (isCertificateProblem(t)) {
            // A certificate that does not verify (sslmode=verify-ca/verify-full) stays wrong until someone fixes it.
            return false;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PgReplicationSetupException) {
                return false;
            }
            if (c instanceof SQLException e && e.getSQLState() != null) {
                String state = e.getSQLState();
                return state.startsWith("08") // connection exceptions
                       || state.equals("57P01") || state.equals("57P02") || state.equals("57P03") // shutdown/startup
                       || state.equals("53300") // too many connections
                       || state.equals("55006") // object in use: the slot is active elsewhere
                       || state.equals("53100") || state.equals("53200") // disk full, out of memory
                       || state.equals("40001") || state.equals("40P01"); // serialization failure, deadlock
            }
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** True when TLS failed because a certificate did not verify (wrong CA, wrong host name, expired). */
    public static boolean isCertificateProblem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertificateException
                || c instanceof javax.net.ssl.SSLPeerUnverifiedException
                || c instanceof javax.net.ssl.SSLHandshakeException) {
                return true;
            }
            if (c.getMessage() != null && c.getMessage().contains("The hostname ")
                && c.getMessage().contains("could not be verified")) {
                return true;
            }
        }
        return false;
    }
}
