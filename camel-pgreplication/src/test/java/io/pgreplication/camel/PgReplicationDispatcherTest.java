package io.pgreplication.camel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.pgreplication.camel.batch.Batch;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.ChangeEvents;
import io.pgreplication.camel.event.ColumnMetadata;
import io.pgreplication.camel.event.RelationMetadata;
import io.pgreplication.camel.lsn.FlushTracker;
import io.pgreplication.camel.lsn.Lsn;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Batches to exchanges and completions to tickets, through a real Camel consumer; no database. */
class PgReplicationDispatcherTest {

    private static final RelationMetadata ORDERS = new RelationMetadata("public", "orders", 16400, "default",
            List.of(new ColumnMetadata("id", "integer", 23, -1, true)));
    private static final long POINT = Lsn.parse("0/3000060").value();
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final CamelContext context = new DefaultCamelContext();
    private final FlushTracker tracker = new FlushTracker(0);
    private final LongAdder delivered = new LongAdder();
    private PgReplicationDispatcher dispatcher;

    @AfterEach
    void close() throws Exception {
        if (dispatcher != null) {
            dispatcher.stop();
        }
        context.close();
    }

    @Test
    void aCompletedExchangeCarriesTheBatchAndItsHeadersAndCompletesItsTicket() throws Exception {
        AtomicReference<Message> seen = new AtomicReference<>();
        start(exchange -> seen.set(exchange.getMessage().copy()));

        assertThat(dispatcher.offer(batch(1, 2), WAIT)).isTrue();
        tracker.committed(1, POINT);

        await().until(() -> tracker.confirmed() == POINT);
        Message m = seen.get();
        assertThat(m.getBody()).isInstanceOf(ChangeEvents.class);
        assertThat(m.getBody(List.class)).hasSize(2);
        assertThat(m.getHeaders()).containsEntry(PgReplicationConstants.TABLE, "public.orders")
                .containsEntry(PgReplicationConstants.LSN, "0/3000060")
                .containsEntry(PgReplicationConstants.COMMIT_LSN, "0/3000060")
                .containsEntry(PgReplicationConstants.SLOT, "s1")
                .containsEntry(PgReplicationConstants.PUBLICATION, "s1")
                .containsEntry(PgReplicationConstants.KEY_COLUMNS, List.of("id"))
                .containsEntry(PgReplicationConstants.RELATION, ORDERS)
                .containsEntry(PgReplicationConstants.SNAPSHOT, true);
        await().until(() -> delivered.sum() == 2 && dispatcher.isIdle());
    }

    @Test
    void aFailedExchangeFailsItsTicketAndLaterBatchesOfTheStreamAreNotDelivered() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        start(exchange -> {
            calls.incrementAndGet();
            throw new IllegalStateException("the sink is down");
        });
        dispatcher.offer(batch(1, 1), WAIT);
        await().until(tracker::hasFailed);
        dispatcher.offer(batch(2, 1), WAIT);

        assertThat(dispatcher.awaitIdle(WAIT)).isTrue();
        assertThat(calls).hasValue(1);
        assertThat(delivered.sum()).isZero();
        assertThat(tracker.confirmed()).isZero();
    }

    @Test
    void atMostFourBatchesAreInFlightAndTheFifthWaitsForRoom() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(exchange -> release.await());
        for (int i = 0; i < PgReplicationDispatcher.MAX_IN_FLIGHT; i++) {
            assertThat(dispatcher.offer(batch(1, 1), WAIT)).isTrue();
        }

        assertThat(dispatcher.offer(batch(1, 1), Duration.ofMillis(50))).isFalse();
        assertThat(dispatcher.inFlight()).isEqualTo(PgReplicationDispatcher.MAX_IN_FLIGHT);
        assertThat(dispatcher.isIdle()).isFalse();

        release.countDown();
        assertThat(dispatcher.awaitIdle(WAIT)).isTrue();
        assertThat(delivered.sum()).isEqualTo(4);
    }

    @Test
    void batchesInFlightHoldAtMostMaxBatchBytesTogetherAndALargerOneGoesAlone() throws Exception {
        List<CountDownLatch> routes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            routes.add(new CountDownLatch(1));
        }
        AtomicInteger started = new AtomicInteger();
        start(exchange -> routes.get(started.getAndIncrement()).await(), "&maxBatchBytes=1kB");

        assertThat(dispatcher.offer(batch(1, 1, 600), WAIT)).isTrue();
        assertThat(dispatcher.offer(batch(1, 1, 424), WAIT)).isTrue();
        // 1,024 bytes in flight: even a one-byte batch waits, although there is room for two more batches
        assertThat(dispatcher.offer(batch(1, 1, 1), Duration.ofMillis(50))).isFalse();
        assertThat(dispatcher.inFlight()).isEqualTo(2);
        assertThat(dispatcher.inFlightBytes()).isEqualTo(1024);

        routes.get(0).countDown();
        routes.get(1).countDown();
        await().until(dispatcher::isIdle);
        // larger than maxBatchBytes (a single oversized change): it goes alone, and nothing joins it meanwhile
        assertThat(dispatcher.offer(batch(1, 1, 5000), WAIT)).isTrue();
        assertThat(dispatcher.offer(batch(1, 1, 1), Duration.ofMillis(50))).isFalse();
        assertThat(dispatcher.inFlightBytes()).isEqualTo(5000);

        routes.get(2).countDown();
        assertThat(dispatcher.offer(batch(1, 1, 1), WAIT)).isTrue();
        routes.get(3).countDown();
        assertThat(dispatcher.awaitIdle(WAIT)).isTrue();
        assertThat(delivered.sum()).isEqualTo(4);
        assertThat(dispatcher.inFlightBytes()).isZero();
    }

    @Test
    void anErrorThrownByTheRouteFailsTheBatchAndTheDispatcherGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        start(exchange -> {
            if (calls.incrementAndGet() == 1) {
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
        });

        dispatcher.offer(batch(1, 1), WAIT);
        await().until(tracker::hasFailed);
        assertThat(dispatcher.awaitIdle(WAIT)).isTrue();
        assertThat(tracker.confirmed()).isZero();
        assertThat(delivered.sum()).isZero();

        // the dispatcher thread survived: a later batch (of a new stream, after the reconnect) is delivered
        FlushTracker next = new FlushTracker(0);
        List<ChangeEvent> events = List.of(ChangeEvent.snapshot("public", "orders", POINT, Map.of("id", 1),
                Map.of("id", 1)));
        assertThat(dispatcher.offer(new Batch(ORDERS, events, next.open(1), 1), WAIT)).isTrue();
        next.committed(1, POINT);
        await().until(() -> next.confirmed() == POINT);
        assertThat(calls).hasValue(2);
    }

    /** Starts the dispatcher of a consumer whose route runs {@code step}, with Camel's unit of work around it. */
    private void start(Processor step) throws Exception {
        start(step, "");
    }

    /** The same, with more endpoint options ({@code &name=value...}). */
    private void start(Processor step, String options) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:batches").routeId("batches").process(step);
            }
        });
        context.start();
        PgReplicationEndpoint endpoint = context.getEndpoint("pgreplication:s1?url=jdbc:postgresql://localhost/shop" + options,
                PgReplicationEndpoint.class);
        PgReplicationConsumer consumer = new PgReplicationConsumer(endpoint, context.getRoute("batches").getProcessor());
        dispatcher = new PgReplicationDispatcher(consumer, endpoint.options(), delivered);
        dispatcher.start();
    }

    /** A batch of {@code rows} snapshot rows of public.orders, opened in transaction {@code transaction}. */
    private Batch batch(long transaction, int rows) {
        return batch(transaction, rows, rows);
    }

    /** The same, weighing {@code bytes}. */
    private Batch batch(long transaction, int rows, long bytes) {
        List<ChangeEvent> events = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            events.add(ChangeEvent.snapshot("public", "orders", POINT, Map.of("id", i), Map.of("id", i)));
        }
        return new Batch(ORDERS, events, tracker.open(transaction), bytes);
    }
}
