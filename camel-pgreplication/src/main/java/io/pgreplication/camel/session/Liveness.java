package io.pgreplication.camel.session;

import java.sql.SQLException;

/** Asked by the read loop whenever a read returned nothing: throws when the connection no longer streams the slot. */
@FunctionalInterface
interface Liveness {

    /**
     * @param heardSinceLastIdle a message arrived since the previous idle read
     * @param lastReceivedLsn    the stream's newest received position
     */
    void onIdle(boolean heardSinceLastIdle, long lastReceivedLsn) throws SQLException;
}
