package io.pgreplication.camel;

/** What a management producer does: the {@code operation} option, or the {@code CamelPgReplicationOperation} header. */
public enum ManagementOperation {
    /** The slot's and the publication's state, as a map. */
    STATUS("status"),
    /** Creates the slot unless it exists. */
    CREATE_SLOT("createSlot"),
    /** Drops the slot if it exists. */
    DROP_SLOT("dropSlot"),
    /** Creates the publication, or adds the tables it lacks. */
    CREATE_PUBLICATION("createPublication"),
    /** Drops the publication if it exists. */
    DROP_PUBLICATION("dropPublication"),
    /** Moves the slot forward to the LSN in {@code CamelPgReplicationAdvanceLsn}. */
    ADVANCE_SLOT("advanceSlot"),
    /** A consistent snapshot of the published tables as a lazy iterator of batch messages. */
    SNAPSHOT("snapshot"),
    /** Asks the slot's consumer to read tables again while it streams (an online backfill). */
    BACKFILL("backfill");

    private final String optionValue;

    ManagementOperation(String optionValue) {
        this.optionValue = optionValue;
    }

    /** The value as the {@code operation} option and header spell it. */
    @Override
    public String toString() {
        return optionValue;
    }
}
