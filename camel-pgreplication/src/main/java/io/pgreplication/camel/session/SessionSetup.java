package io.pgreplication.camel.session;

import java.sql.SQLException;

import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the server to what a session needs, before it streams: the publication, the slot (or the decision that the
 * initial snapshot makes it), and the checks of the options against the server (includeColumns names existing
 * columns, messages needs PostgreSQL 14).
 */
final class SessionSetup {

    private static final Logger LOG = LoggerFactory.getLogger(SessionSetup.class);

    private SessionSetup() {
    }

    /** Runs the setup on the server; configuration errors surface here with their fix. */
    static ReplicationSetup.Result run(SessionOptions options) throws SQLException {
        // snapshotMode=initial on an existing slot backfills the tables added to it (docs/user-guide.md).
        ReplicationSetup.Result result = ReplicationSetup.run(options.connection(), options.setup(),
                options.includeColumns(), options.snapshot().mode() != SnapshotMode.NEVER, options.offsets(),
                options.snapshot().mode() == SnapshotMode.INITIAL);
        checkMessagesSupported(options.slot(), options.stream().messages(), result.server());
        if (result.slot() == null) {
            LOG.info("slot={} the slot does not exist yet: snapshotMode={} takes the initial snapshot, which creates"
                     + " it", options.slot(), options.snapshot().mode());
        } else {
            LOG.debug("slot={} set up on PostgreSQL {} (slot confirmed at {})", options.slot(),
                    result.server().versionNum(), result.slot().confirmedFlushLsn());
        }
        return result;
    }

    /** pgoutput's messages option exists from PostgreSQL 14 on; an older server would reject the stream. */
    static void checkMessagesSupported(String slot, boolean messages, ServerCapabilities server) {
        if (messages && !server.messages()) {
            throw new PgReplicationSetupException("slot=" + slot + ": option messages=true needs PostgreSQL 14 or"
                                                  + " newer (pgoutput's messages option); this server is "
                                                  + server.describe() + ". Remove messages=true, or upgrade the server");
        }
    }
}
