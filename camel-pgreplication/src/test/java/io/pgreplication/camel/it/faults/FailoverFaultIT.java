package io.pgreplication.camel.it.faults;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * High availability: two consumer JVMs on the same slot under Camel's ClusteredRoutePolicy with a
 * FileLockClusterService (a cluster on one machine). Only the leader streams; SIGKILL of the leader lets the standby
 * take the lock, start its route and stream from the confirmed position, with nothing lost.
 */
class FailoverFaultIT extends FaultITSupport {

    @Test
    void killingTheLeaderLetsTheStandbyTakeOverWithNothingLost() throws Exception {
        Path root = Files.createTempDirectory(Path.of("target"), "cluster-");
        startWorkload();
        String uri = faultUri("");
        ConsumerProcess leader = ConsumerProcess.start(db, uri, sink, slot + "-node-0", root);
        try {
            awaitOutput(leader, "ROUTE STARTED");
            awaitDelivered(slot + "-node-0");
            for (int round = 1; round <= ROUNDS; round++) {
                String name = slot + "-node-" + round;
                ConsumerProcess standby = ConsumerProcess.start(db, uri, sink, name, root);
                try {
                    awaitOutput(standby, "CONTEXT STARTED");
                    writeMore(100 + randomMillis(0, 200));
                    assertThat(standby.output()).as("the standby's route waits for leadership")
                            .doesNotContain("ROUTE STARTED");
                    assertThat(db.queryString("SELECT count(*) FROM " + sink + " WHERE consumer = '" + name + "'"))
                            .as("the standby delivered nothing while the leader lived").isEqualTo("0");
                    leader.kill();
                    awaitOutput(standby, "ROUTE STARTED");
                    awaitDelivered(name);
                } catch (Throwable e) {
                    standby.close();
                    throw e;
                }
                leader = standby;
            }
            writeMore(100);
            finish("leader JVM killed under ClusteredRoutePolicy (standby takes over)", ROUNDS);
        } finally {
            leader.close();
        }
    }
}
