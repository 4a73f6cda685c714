package io.pgreplication.camel.event;

/** The body of an exchange (SPEC §3): a list of {@link ChangeEvent}s, or dlt-style row maps. */
public enum OutputFormat {
    EVENTS,
    ROWS
}
