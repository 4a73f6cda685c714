package io.pgreplication.camel.session;

/** When the consumer reads the published tables before streaming (docs/delivery.md). */
public enum SnapshotMode {
    /** Never: stream changes only. */
    NEVER("never"),
    /** When the consumer creates the slot: snapshot inside the slot's exported snapshot, then stream. */
    INITIAL("initial"),
    /** Snapshot as for INITIAL, then stop without streaming. */
    INITIAL_ONLY("initialOnly");

    private final String optionValue;

    SnapshotMode(String optionValue) {
        this.optionValue = optionValue;
    }

    /** The value as the {@code snapshotMode} option spells it. */
    @Override
    public String toString() {
        return optionValue;
    }
}
