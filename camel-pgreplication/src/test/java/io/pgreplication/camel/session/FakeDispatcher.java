package io.pgreplication.camel.session;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.event.ChangeEvent;

/**
 * Routes as a test wants them: completing every batch at once, failing it, holding it, or having no room. Called by
 * the session's thread; a test thread may read what it was given meanwhile.
 */
final class FakeDispatcher implements BatchDispatcher {

    enum Route { COMPLETE, FAIL, HOLD }

    private volatile Route route = Route.COMPLETE;
    private volatile int room = Integer.MAX_VALUE;
    private volatile int failFrom = Integer.MAX_VALUE;
    private final List<Batch> offered = new CopyOnWriteArrayList<>();
    private final List<Batch> held = new CopyOnWriteArrayList<>();
    private volatile int refused;
    private volatile int discards;

    FakeDispatcher routes(Route route) {
        this.route = route;
        return this;
    }

    /** Completes the first {@code n} batches offered and fails every later one. */
    FakeDispatcher failFrom(int n) {
        this.failFrom = n;
        return this;
    }

    /** How many batches may be held at once; 0 refuses every offer. */
    FakeDispatcher room(int room) {
        this.room = room;
        return this;
    }

    @Override
    public boolean offer(Batch batch, Duration timeout) {
        if (held.size() >= room) {
            refused++;
            return false;
        }
        offered.add(batch);
        if (offered.size() > failFrom) {
            batch.ticket().fail();
            return true;
        }
        switch (route) {
            case COMPLETE -> batch.ticket().complete();
            case FAIL -> batch.ticket().fail();
            case HOLD -> held.add(batch);
        }
        return true;
    }

    /** Completes the batches held so far, as routes that finished. */
    void completeHeld() {
        held.forEach(b -> b.ticket().complete());
        held.clear();
    }

    @Override
    public boolean awaitIdle(Duration timeout) {
        return held.isEmpty();
    }

    @Override
    public boolean isIdle() {
        return held.isEmpty();
    }

    @Override
    public void discardQueued() {
        discards++;
    }

    List<Batch> offered() {
        return offered;
    }

    List<ChangeEvent> events() {
        return offered.stream().flatMap(b -> b.events().stream()).toList();
    }

    int refused() {
        return refused;
    }

    int discards() {
        return discards;
    }
}
