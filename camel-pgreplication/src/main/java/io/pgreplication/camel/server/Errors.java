package io.pgreplication.camel.server;

import java.io.IOException;
import java.sql.SQLException;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Sorts failures once: transient (retry with backoff), needing an operator (fail, with the fix), or fatal (an Error
 * of the JVM: stop).
 */
public final class Errors {

    private Errors() {
    }

    /**
     * True when an {@link Error} (OutOfMemoryError, StackOverflowError, ...) caused the failure, directly or as the
     * cause of another exception: nothing a retry can mend.
     */
    public static boolean isFatal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof Error) {
                return true;
            }
        }
        return false;
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

    /**
     * Replaces the server's error for the stream failures only an operator can repair (an invalidated slot, a dropped
     * publication, a synchronized slot on a standby) with one that says what happened and what to do; returns
     * {@code e} unchanged otherwise.
     */
    public static Throwable explainStreamFailure(String slot, String publication, Throwable e) {
        if (!(e instanceof SQLException sql) || sql.getSQLState() == null) {
            return e;
        }
        String message = String.valueOf(sql.getMessage());
        SlotInvalidation invalidation = SlotInvalidation.of(e);
        if (invalidation != null) {
            return invalidation.explain(slot, e);
        }
        if (message.contains("cannot use replication slot") && detail(sql).contains("being synchronized")) {
            return new PgReplicationSetupException("slot=" + slot + ": this server is a standby, and the slot is a"
                    + " copy it synchronizes from its primary: it can be streamed once this server is promoted. Point"
                    + " url at the primary, or list every host (jdbc:postgresql://host1,host2/db): the consumer then"
                    + " always connects to the one that is primary", e);
        }
        if ("42704".equals(sql.getSQLState()) && message.contains("publication")) {
            return new PgReplicationSetupException("slot=" + slot + ": publication " + publication + " was dropped"
                    + " while the consumer streamed; the slot stays at the last completed transaction. Recreating"
                    + " the publication is not enough: PostgreSQL decodes each change with the catalog of its time,"
                    + " when the publication did not exist. Recreate it (CREATE PUBLICATION ...; SELECT"
                    + " pg_current_wal_lsn();), stop the route, move the slot to that LSN (SELECT"
                    + " pg_replication_slot_advance('" + slot + "', '<lsn>'); changes written without the publication"
                    + " are skipped) and start it again; or recreate the slot with reset=true", e);
        }
        return e;
    }

    /** The server's detail line of an error; its whole message when pgjdbc did not keep the detail apart. */
    static String detail(SQLException e) {
        if (e instanceof PSQLException psql) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            if (server != null && server.getDetail() != null) {
                return server.getDetail();
            }
        }
        return String.valueOf(e.getMessage());
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
