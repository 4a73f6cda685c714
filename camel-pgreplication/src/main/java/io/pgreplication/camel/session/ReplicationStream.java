package io.pgreplication.camel.session;

import java.nio.ByteBuffer;
import java.sql.SQLException;

/**
 * A replication stream as the read loop and the status reporter use it: one thread reads messages and reports
 * positions. An interface so both can be tested with a stream that is not a server.
 */
interface ReplicationStream {

    /** The next message's payload, or null when none is buffered (the read may wait briefly on the socket). */
    ByteBuffer readPending() throws SQLException;

    /** The WAL position of the newest message or keepalive received. */
    long lastReceiveLsn();

    /** The position status updates report as flushed and applied from now on. */
    void setFlushed(long lsn);

    /** Sends a status update now. */
    void forceStatus() throws SQLException;

    boolean isClosed();
}
