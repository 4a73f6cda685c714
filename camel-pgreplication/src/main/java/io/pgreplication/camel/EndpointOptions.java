package io.pgreplication.camel;

import io.pgreplication.camel.event.OutputFormat;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.session.SessionOptions;

/**
 * The frozen, validated options of one endpoint: the session's, and those only the Camel side uses.
 *
 * @param session              what the replication session (and the management producer) needs
 * @param outputFormat         the body of batch exchanges
 * @param retainedWalThreshold retained WAL bytes above which the health check reports DOWN; 0 for no limit
 */
record EndpointOptions(SessionOptions session, OutputFormat outputFormat, long retainedWalThreshold) {

    String slot() {
        return session.slot();
    }

    String publication() {
        return session.publication();
    }

    ConnectionSettings connection() {
        return session.connection();
    }
}
