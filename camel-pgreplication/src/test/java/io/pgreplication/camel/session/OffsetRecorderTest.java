package io.pgreplication.camel.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.server.OffsetStore;
import io.pgreplication.camel.server.ServerIdentity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How often the confirmed position reaches the offset store: on a new server, once per interval, at a stream's end. */
class OffsetRecorderTest {

    private static final ServerIdentity PRIMARY = new ServerIdentity("7412", 1);
    private static final ServerIdentity PROMOTED = new ServerIdentity("7412", 2);
    private static final ServerIdentity OTHER = new ServerIdentity("9999", 1);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Store store = new Store();
    private final OffsetRecorder recorder = new OffsetRecorder(store, "s1", Duration.ofSeconds(10), now::get);

    @Test
    void aStreamOnANewServerIsRecordedAtOnceThenAtMostOncePerInterval() {
        recorder.streaming(PRIMARY, Lsn.parse("0/100"));
        recorder.confirmed(Lsn.parse("0/200"));
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        recorder.confirmed(Lsn.parse("0/300"));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        recorder.confirmed(Lsn.parse("0/400"));
        recorder.confirmed(Lsn.parse("0/500"));
        assertThat(store.writes).containsExactly("s1@7412=0/100", "s1@7412=0/400");
    }

    @Test
    void theEndOfAStreamRecordsTheLastConfirmedPositionOnlyWhenItMoved() {
        recorder.streaming(PRIMARY, Lsn.parse("0/100"));
        recorder.ended(Lsn.parse("0/100"));
        recorder.confirmed(Lsn.parse("0/180"));
        recorder.ended(Lsn.parse("0/180"));
        assertThat(store.writes).containsExactly("s1@7412=0/100", "s1@7412=0/180");
    }

    @Test
    void aPromotedStandbyKeepsTheKeyAnotherServerGetsItsOwn() {
        recorder.streaming(PRIMARY, Lsn.parse("0/100"));
        recorder.streaming(PROMOTED, Lsn.parse("0/90"));
        recorder.streaming(OTHER, Lsn.parse("0/10"));
        assertThat(store.writes).containsExactly("s1@7412=0/100", "s1@9999=0/10");
    }

    @Test
    void aFailingStoreDoesNotStopTheStreamAndIsRetriedNextInterval() {
        recorder.streaming(PRIMARY, Lsn.parse("0/100"));
        store.failing = true;
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        recorder.confirmed(Lsn.parse("0/200"));
        store.failing = false;
        recorder.confirmed(Lsn.parse("0/300"));
        assertThat(store.writes).containsExactly("s1@7412=0/100", "s1@7412=0/300");
    }

    @Test
    void withoutAStoreNothingIsRecorded() {
        OffsetRecorder none = new OffsetRecorder(OffsetStore.NONE, "s1", Duration.ofSeconds(10), now::get);
        none.streaming(PRIMARY, Lsn.parse("0/100"));
        none.confirmed(Lsn.parse("0/200"));
        none.ended(Lsn.parse("0/300"));
        assertThat(store.writes).isEmpty();
    }

    private static final class Store implements OffsetStore {
        private final List<String> writes = new ArrayList<>();
        private boolean failing;

        @Override
        public boolean isConfigured() {
            return true;
        }

        @Override
        public Lsn recorded(String slot, String systemIdentifier) {
            return null;
        }

        @Override
        public void record(String slot, String systemIdentifier, Lsn confirmed) {
            if (failing) {
                throw new IllegalStateException("disk full");
            }
            writes.add(OffsetStore.key(slot, systemIdentifier) + "=" + confirmed);
        }

        @Override
        public void clear(String slot, String systemIdentifier) {
        }
    }
}
