package io.pgreplication.camel.examples.ha;

import java.time.Duration;

import io.pgreplication.camel.it.faults.ConsumerProcess;
import io.pgreplication.camel.it.faults.ReliabilityReport;
import io.pgreplication.camel.it.faults.Workload;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scale-out on ZooKeeper: the tables of one database split over two slots, each its own route and cluster namespace,
 * in two consumer JVMs that each run both routes. Started together, each JVM leads the slot it prefers and stands by
 * for the other, so both walsenders work in parallel; when one JVM is killed the other takes over its slot. Then the
 * data check of both slots: nothing lost.
 */
class ZooKeeperScaleOutFaultIT extends ZooKeeperFaultITSupport {

    /** Long enough for both JVMs to join their preferred namespace first, even on a busy machine. */
    private static final Duration JOIN_DELAY = Duration.ofSeconds(8);

    private String slotB;
    private String tableB;
    private String sinkB;
    private Workload workloadB;

    @BeforeEach
    void secondSlot() {
        slotB = slot + "_b";
        tableB = slotB + "_t";
        sinkB = slotB + "_sink";
        Workload.createTables(db, tableB, sinkB);
        db.execute("CREATE PUBLICATION " + slotB + "_pub FOR TABLE " + tableB,
                "SELECT pg_create_logical_replication_slot('" + slotB + "', 'pgoutput')");
    }

    @AfterEach
    void dropSecondSlot() {
        if (workloadB != null) {
            workloadB.close();
        }
        db.dropSlotAndPublication(slotB, slotB + "_pub");
        db.execute("DROP TABLE IF EXISTS " + tableB, "DROP TABLE IF EXISTS " + sinkB);
    }

    @Test
    void twoSlotsAreLedByTwoJvmsAndOneTakesOverBothWhenTheOtherDies() throws Exception {
        startWorkload();
        workloadB = new Workload(db, tableB, 3, 20).start();
        Slot a = new Slot(slot, faultUri(""), sink);
        Slot b = new Slot(slotB, "pgreplication:" + slotB + "?publication=" + slotB + "_pub&" + db.endpointOptions()
                                 + "&tables=" + tableB + "&reconnectDelay=100&maxReconnectDelay=1000&batchSize=100"
                                 + "&statusInterval=1000", sinkB);
        String nodeA = slot + "-node-a";
        String nodeB = slot + "-node-b";
        ConsumerProcess first = node(nodeA, JOIN_DELAY, a, b);
        ConsumerProcess second = node(nodeB, JOIN_DELAY, b, a);

        awaitOutput(first, "ROUTE ADDED " + slotB);
        awaitOutput(second, "ROUTE ADDED " + slot);
        awaitDelivered(sink, nodeA);
        awaitDelivered(sinkB, nodeB);
        writeMore(100);
        assertThat(first.output()).as("node a leads slot a only").contains("ROUTE STARTED " + slot + "\n")
                .doesNotContain("ROUTE STARTED " + slotB);
        assertThat(second.output()).as("node b leads slot b only").contains("ROUTE STARTED " + slotB)
                .doesNotContain("ROUTE STARTED " + slot + "\n");
        assertThat(db.queryString("SELECT count(*) FROM " + sink + " WHERE consumer <> '" + nodeA + "'"))
                .as("only node a delivered slot a").isEqualTo("0");
        assertThat(db.queryString("SELECT count(*) FROM " + sinkB + " WHERE consumer <> '" + nodeB + "'"))
                .as("only node b delivered slot b").isEqualTo("0");

        first.kill();
        awaitOutput(second, "ROUTE STARTED " + slot + "\n");
        awaitDelivered(sink, nodeB);
        writeMore(100);

        finish("two slots on two JVMs, one JVM killed, ZooKeeper (the other leads both)", 1);
        workloadB.close();
        String end = db.queryString("SELECT pg_current_wal_lsn()::text");
        Awaitility.await("slot " + slotB + " confirmed past " + end).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> lsnDiff(db.confirmedFlushLsn(slotB), end) >= 0);
        ReliabilityReport.Result resultB = ReliabilityReport.check(db, tableB, sinkB);
        ReliabilityReport.print("two slots on two JVMs, one JVM killed, ZooKeeper (the slot that kept its leader)", 1, resultB);
        assertThat(resultB.written()).isPositive();
        assertThat(resultB.lost()).as("committed changes of slot b missing from its sink").isZero();
    }
}
