package io.pgreplication.camel.examples.ha;

import java.time.Duration;

import io.pgreplication.camel.it.faults.ConsumerProcess;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * High availability on ZooKeeper: two consumer JVMs on one slot under Camel's clustered route policy with
 * camel-zookeeper's cluster service. Only the leader streams; SIGKILL of the leader ends its ZooKeeper session after
 * the session timeout, the standby takes the lead, starts its route and streams from the confirmed position. Repeated
 * with a fresh standby each round, then the data check: nothing lost.
 */
class ZooKeeperFailoverFaultIT extends ZooKeeperFaultITSupport {

    @Test
    void killingTheLeaderLetsTheStandbyTakeOverWithNothingLost() throws Exception {
        startWorkload();
        Slot only = new Slot(slot, faultUri(""), sink);
        String first = slot + "-zk-0";
        ConsumerProcess leader = node(first, Duration.ZERO, only);
        awaitOutput(leader, "ROUTE STARTED " + slot);
        awaitDelivered(first);
        for (int round = 1; round <= ROUNDS; round++) {
            String name = slot + "-zk-" + round;
            ConsumerProcess standby = node(name, Duration.ZERO, only);
            awaitOutput(standby, "CONTEXT STARTED");
            writeMore(100 + randomMillis(0, 200));
            assertThat(standby.output()).as("the standby's route waits for leadership").doesNotContain("ROUTE STARTED");
            assertThat(db.queryString("SELECT count(*) FROM " + sink + " WHERE consumer = '" + name + "'"))
                    .as("the standby delivered nothing while the leader lived").isEqualTo("0");
            leader.kill();
            awaitOutput(standby, "ROUTE STARTED " + slot);
            awaitDelivered(name);
            leader = standby;
        }
        writeMore(100);
        finish("leader JVM killed, ZooKeeper cluster service (standby takes over)", ROUNDS);
    }
}
