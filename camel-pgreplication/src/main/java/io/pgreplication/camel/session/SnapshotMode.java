package io.pgreplication.camel.session;

/** When the consumer reads the published tables before streaming (docs/delivery.md). */
public enum SnapshotMode {
    /** Never: stream changes only. */
    NEVER,
    /** When the consumer creates the slot: snapshot inside the slot's exported snapshot, then stream. */
    INITIAL,
    /** Snapshot as for INITIAL, then stop without streaming. */
    INITIAL_ONLY
}
