package io.pgreplication.camel.event;

import java.util.List;

/** The body of an exchange (docs/user-guide.md, "The exchange"): a list of {@link ChangeEvent}s, or dlt-style rows. */
public enum OutputFormat {
    EVENTS("events"),
    ROWS("rows");

    private final String optionValue;

    OutputFormat(String optionValue) {
        this.optionValue = optionValue;
    }

    /** The body of a batch of these events: {@link ChangeEvents}, or {@link ChangeRows} (which leave truncates out). */
    public List<?> body(List<ChangeEvent> events) {
        return this == ROWS ? ChangeRows.of(events) : new ChangeEvents(events);
    }

    /** The value as the {@code outputFormat} option spells it. */
    @Override
    public String toString() {
        return optionValue;
    }
}
