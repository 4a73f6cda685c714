package io.pgreplication.camel.examples.ha;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.it.faults.ConsumerProcess;
import io.pgreplication.camel.it.faults.FaultITSupport;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the high-availability fault tests on ZooKeeper: the component's fault suite (workload, durable sink, data
 * check) plus a real ZooKeeper server (Curator's TestingServer, on loopback) and consumer JVMs that are
 * {@link ZooKeeperNode}s.
 */
abstract class ZooKeeperFaultITSupport extends FaultITSupport {

    /** How soon ZooKeeper gives up on a dead leader's session (the server's tick is 500 ms, its minimum 1 s). */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);
    private static final int TICK_MILLIS = 500;

    protected TestingServer zooKeeper;
    private final List<ConsumerProcess> processes = new ArrayList<>();

    @BeforeEach
    void startZooKeeper() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "zookeeper-");
        InstanceSpec spec = new InstanceSpec(data.toFile(), -1, -1, -1, true, -1, TICK_MILLIS, -1,
                Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1");
        zooKeeper = new TestingServer(spec, true);
    }

    @AfterEach
    void stopNodesAndZooKeeper() throws Exception {
        for (ConsumerProcess process : processes) {
            process.close();
        }
        if (zooKeeper != null) {
            zooKeeper.close();
        }
    }

    /** One slot of a node: its route id (also its cluster namespace), endpoint URI and sink table. */
    record Slot(String routeId, String uri, String sink) {
    }

    /** Starts a consumer JVM {@code node} with these slots, the first one preferred (see {@link ZooKeeperNode}). */
    protected ConsumerProcess node(String node, Duration joinDelay, Slot... slots) throws Exception {
        List<String> args = new ArrayList<>(List.of("127.0.0.1:" + zooKeeper.getPort(), node, db.jdbcUrl(), db.user(),
                String.valueOf(SESSION_TIMEOUT.toMillis()), String.valueOf(joinDelay.toMillis())));
        for (Slot s : slots) {
            args.addAll(List.of(s.routeId(), s.uri(), s.sink()));
        }
        ConsumerProcess process = ConsumerProcess.start(ZooKeeperConsumerMain.class.getName(), args, node, db);
        processes.add(process);
        return process;
    }
}
