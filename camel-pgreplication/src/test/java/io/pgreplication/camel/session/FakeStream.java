package io.pgreplication.camel.session;

import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A replication stream that plays captured messages, then reads nothing; it records what it was told. Read by one
 * thread; a test thread may look at the counters meanwhile.
 */
final class FakeStream implements ReplicationStream {

    private final Deque<Captured.Message> pending = new ArrayDeque<>();
    private volatile long lastReceived;
    private volatile long flushed;
    private volatile int read;
    private volatile int idleReads;
    private volatile int statusUpdates;
    private volatile boolean serverGone;

    FakeStream(List<Captured.Message> messages) {
        pending.addAll(messages);
    }

    @Override
    public ByteBuffer readPending() {
        Captured.Message m = pending.poll();
        if (m == null) {
            idleReads++;
            return null;
        }
        read++;
        lastReceived = m.lsn();
        return ByteBuffer.wrap(m.bytes());
    }

    @Override
    public long lastReceiveLsn() {
        return lastReceived;
    }

    @Override
    public void setFlushed(long lsn) {
        flushed = lsn;
    }

    @Override
    public void forceStatus() throws SQLException {
        if (serverGone && pending.isEmpty()) {
            throw new SQLException("Database connection failed when writing to copy", "08006");
        }
        statusUpdates++;
    }

    /**
     * The server closes the connection once every message was read, as pgjdbc shows it: reads find nothing and raise
     * nothing; a status update fails.
     */
    FakeStream closedByServerWhenDrained() {
        serverGone = true;
        return this;
    }

    @Override
    public boolean isClosed() {
        return false;
    }

    /** The position status updates report as flushed; 0 when never set. */
    long flushed() {
        return flushed;
    }

    int read() {
        return read;
    }

    int unread() {
        return pending.size();
    }

    int idleReads() {
        return idleReads;
    }

    int statusUpdates() {
        return statusUpdates;
    }
}
