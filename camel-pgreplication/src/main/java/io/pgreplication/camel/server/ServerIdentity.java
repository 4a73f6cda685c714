package io.pgreplication.camel.server;

/**
 * Which server, and which history of it, a connection reached. A physical standby has the system identifier of its
 * primary, so a failover keeps it; the timeline goes up by one with every promotion (and every point-in-time restore).
 *
 * @param systemIdentifier {@code pg_control_system().system_identifier}, as text
 * @param timeline         the timeline the server writes WAL on; 0 when unknown
 */
public record ServerIdentity(String systemIdentifier, int timeline) {

    /** E.g. {@code system identifier 7412345678901234567, timeline 2}, for messages. */
    public String describe() {
        return "system identifier " + systemIdentifier + (timeline > 0 ? ", timeline " + timeline : "");
    }

    /** The same server history: same system, same timeline. */
    public boolean sameHistoryAs(ServerIdentity other) {
        return other != null && systemIdentifier.equals(other.systemIdentifier) && timeline == other.timeline;
    }
}
