package io.pgreplication.camel.event;

/** What a {@link ChangeEvent} reports. */
public enum Operation {
    INSERT("insert"),
    UPDATE("update"),
    DELETE("delete"),
    TRUNCATE("truncate"),
    SNAPSHOT("snapshot"),
    MESSAGE("message");

    private final String wireName;

    Operation(String wireName) {
        this.wireName = wireName;
    }

    /** The {@code op} value in JSON. */
    public String wireName() {
        return wireName;
    }
}
