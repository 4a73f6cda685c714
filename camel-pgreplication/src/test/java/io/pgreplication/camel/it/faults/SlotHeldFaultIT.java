package io.pgreplication.camel.it.faults;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A slot held by another consumer: the second waits (retrying, health DOWN, says who holds it) and takes over. */
class SlotHeldFaultIT extends FaultITSupport {

    @Test
    void aSecondConsumerWaitsForTheSlotAndTakesOverWhenTheFirstStops() throws Exception {
        startWorkload();
        CamelContext holder = startSinkRoute(faultUri(""), "holder");
        await().until(() -> consumer(holder).isStreaming());
        CamelContext current = holder;
        for (int round = 0; round < ROUNDS; round++) {
            CamelContext standby = startSinkRoute(faultUri(""), "standby-" + round);
            await().until(() -> consumer(standby).getReconnectAttempts() >= 2);
            HealthCheck.Result waiting = health(standby);
            assertThat(waiting.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(waiting.getMessage()).hasValueSatisfying(m -> assertThat(m).contains("in use by PID"));
            assertThat(consumer(standby).isStreaming()).isFalse();
            writeMore(100 + randomMillis(0, 200));
            current.stop();
            await().until(() -> consumer(standby).isStreaming());
            current = standby;
        }
        writeMore(100);
        finish("slot held by another consumer (second waits, takes over)", ROUNDS);
    }
}
