package io.pgreplication.camel.examples.ha;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a replication cluster coordinated by ZooKeeper (docs/high-availability.md): every node runs a route per
 * slot, each under Camel's clustered route policy in a namespace of its own, so exactly one node streams each slot and
 * another takes over when it dies. Several slots (the tables of one database split over them) spread the work over
 * several nodes, one walsender each.
 */
public final class ZooKeeperNode {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperNode.class);

    private ZooKeeperNode() {
    }

    /**
     * The cluster service: {@code nodeId} unique per JVM, {@code zooKeeper} the ensemble ({@code host:port,...}). A
     * standby takes over when ZooKeeper ends the dead leader's session: {@code sessionTimeout} after the leader stopped
     * answering (Curator's default is 60 s).
     */
    public static ZooKeeperClusterService clusterService(String nodeId, String zooKeeper, Duration sessionTimeout) {
        ZooKeeperClusterService cluster = new ZooKeeperClusterService();
        cluster.setId(nodeId);
        cluster.setNodes(zooKeeper);
        cluster.setBasePath("/camel/pgreplication");
        cluster.setSessionTimeout(sessionTimeout.toMillis());
        cluster.setConnectTimeout(Math.min(15_000, sessionTimeout.toMillis()));
        return cluster;
    }

    /**
     * The route of one slot: {@code from(endpointUri)} into {@code to}, started only on the node that leads the
     * namespace named after {@code routeId}.
     */
    public static RoutesBuilder slotRoute(String routeId, String endpointUri, String to) {
        return new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                from(endpointUri).routeId(routeId)
                        .routePolicy(ClusteredRoutePolicy.forNamespace(routeId))
                        .to(to);
            }
        };
    }

    /**
     * Starts {@code context} with the cluster service, the {@code preferred} slot's route at once and the
     * {@code others} after {@code joinDelay}. Leadership of a namespace goes to the node that joined it first, so nodes
     * started together each lead their preferred slot, and stand by for the others; a node started alone leads every
     * slot once the delay passed.
     */
    public static void start(CamelContext context, ZooKeeperClusterService cluster, RoutesBuilder preferred,
                             List<RoutesBuilder> others, Duration joinDelay) throws Exception {
        context.addService(cluster);
        context.addRoutes(preferred);
        context.start();
        if (others.isEmpty()) {
            return;
        }
        ScheduledExecutorService joiner = Executors.newSingleThreadScheduledExecutor();
        joiner.schedule(() -> {
            try {
                for (RoutesBuilder routes : others) {
                    context.addRoutes(routes);
                }
            } catch (Exception e) {
                LOG.error("node={} cannot add the standby routes: {}", cluster.getId(), e.getMessage(), e);
            } finally {
                joiner.shutdown();
            }
        }, joinDelay.toMillis(), TimeUnit.MILLISECONDS);
    }
}
