package io.pgreplication.camel.event;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The body of a batch exchange: an unmodifiable list of {@link ChangeEvent}s of one table in commit order. A type of
 * its own so that Camel converts it to the JSON array of docs/user-guide.md ({@code getBody(String.class)}).
 */
public final class ChangeEvents extends AbstractList<ChangeEvent> implements RandomAccess {

    private final List<ChangeEvent> events;

    public ChangeEvents(List<ChangeEvent> events) {
        this.events = events;
    }

    @Override
    public ChangeEvent get(int index) {
        return events.get(index);
    }

    @Override
    public int size() {
        return events.size();
    }
}
