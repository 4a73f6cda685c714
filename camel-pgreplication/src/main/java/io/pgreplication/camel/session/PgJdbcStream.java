package io.pgreplication.camel.session;

import java.nio.ByteBuffer;
import java.sql.SQLException;

import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * pgjdbc's replication stream. It sends a status update by itself every statusInterval while it is read, with the
 * last flushed position set here; its automatic flush is off (see {@link StreamOpener}).
 */
final class PgJdbcStream implements ReplicationStream {

    private final PGReplicationStream stream;

    PgJdbcStream(PGReplicationStream stream) {
        this.stream = stream;
    }

    @Override
    public ByteBuffer readPending() throws SQLException {
        return stream.readPending();
    }

    @Override
    public long lastReceiveLsn() {
        return stream.getLastReceiveLSN().asLong();
    }

    @Override
    public void setFlushed(long lsn) {
        LogSequenceNumber position = LogSequenceNumber.valueOf(lsn);
        stream.setFlushedLSN(position);
        stream.setAppliedLSN(position);
    }

    @Override
    public void forceStatus() throws SQLException {
        stream.forceUpdateStatus();
    }

    @Override
    public boolean isClosed() {
        return stream.isClosed();
    }
}
