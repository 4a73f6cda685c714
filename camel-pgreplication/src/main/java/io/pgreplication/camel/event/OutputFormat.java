package io.pgreplication.camel.event;

import java.util.List;

/** The body of an exchange (docs/user-guide.md, "The exchange"): a list of {@link ChangeEvent}s, or dlt-style row maps. */
public enum OutputFormat {
    EVENTS,
    ROWS;

    /** The body of a batch of these events: {@link ChangeEvents}, or {@link ChangeRows} (which leave truncates out). */
    public List<?> body(List<ChangeEvent> events) {
        return this == ROWS ? ChangeRows.of(events) : new ChangeEvents(events);
    }
}
