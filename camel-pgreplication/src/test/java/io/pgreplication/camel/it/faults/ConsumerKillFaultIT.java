package io.pgreplication.camel.it.faults;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;

/** kill -9 of the consumer process at random moments, many times in a row, then a clean run that catches up. */
class ConsumerKillFaultIT extends FaultITSupport {

    @Test
    void aConsumerProcessKilledAtRandomMomentsLosesNothing() throws Exception {
        startWorkload();
        String uri = faultUri("");
        for (int round = 0; round < ROUNDS; round++) {
            String name = slot + "-kill-" + round;
            ConsumerProcess consumer = ConsumerProcess.start(db, uri, sink, name, null);
            try {
                if (round % 3 != 2) {
                    // Mostly while streaming: after the process delivered something, at a random moment.
                    Awaitility.await("process " + name + " delivers").atMost(Duration.ofSeconds(60))
                            .until(() -> !"0".equals(db.queryString(
                                    "SELECT count(*) FROM " + sink + " WHERE consumer = '" + name + "'")));
                    Thread.sleep(randomMillis(0, 1500));
                } else {
                    // Sometimes anywhere from start-up on: connecting, setting up, starting the stream.
                    Thread.sleep(randomMillis(200, 2500));
                }
            } finally {
                consumer.kill();
            }
        }
        try (ConsumerProcess last = ConsumerProcess.start(db, uri, sink, slot + "-final", null)) {
            finish("consumer process killed (SIGKILL)", ROUNDS);
        }
    }
}
