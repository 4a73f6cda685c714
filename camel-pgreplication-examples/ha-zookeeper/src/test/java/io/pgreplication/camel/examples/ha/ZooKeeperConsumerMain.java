package io.pgreplication.camel.examples.ha;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.pgreplication.camel.it.faults.DurableSink;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.event.RouteAddedEvent;
import org.apache.camel.impl.event.RouteStartedEvent;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * The consumer JVM of the ZooKeeper fault tests: a {@link ZooKeeperNode} whose slot routes write into
 * {@link DurableSink}s. Arguments: ZooKeeper ensemble, node id, sink JDBC URL, user, session timeout (ms), join delay
 * (ms), then per slot (the preferred one first) route id, endpoint URI and sink table. The password comes from the
 * environment variable {@code FAULTS_PASSWORD}. Prints {@code CONTEXT STARTED <node>}, {@code ROUTE ADDED <routeId>}
 * when the node joins a slot's namespace and {@code ROUTE STARTED <routeId>} when it takes the lead of it.
 */
public final class ZooKeeperConsumerMain {

    private ZooKeeperConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        String zooKeeper = args[0];
        String node = args[1];
        String url = args[2];
        String user = args[3];
        Duration sessionTimeout = Duration.ofMillis(Long.parseLong(args[4]));
        Duration joinDelay = Duration.ofMillis(Long.parseLong(args[5]));
        CamelContext context = new DefaultCamelContext();
        List<RoutesBuilder> routes = new ArrayList<>();
        for (int i = 6; i + 2 < args.length; i += 3) {
            String routeId = args[i];
            context.getRegistry().bind("sink-" + routeId,
                    new DurableSink(url, user, System.getenv("FAULTS_PASSWORD"), args[i + 2], node));
            routes.add(ZooKeeperNode.slotRoute(routeId, args[i + 1], "bean:sink-" + routeId));
        }
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof RouteAddedEvent added) {
                    System.out.println("ROUTE ADDED " + added.getRoute().getRouteId());
                } else if (event instanceof RouteStartedEvent started) {
                    System.out.println("ROUTE STARTED " + started.getRoute().getRouteId());
                }
                System.out.flush();
            }
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.stop();
            stopped.countDown();
        }));
        ZooKeeperNode.start(context, ZooKeeperNode.clusterService(node, zooKeeper, sessionTimeout), routes.get(0),
                routes.subList(1, routes.size()), joinDelay);
        System.out.println("CONTEXT STARTED " + node);
        System.out.flush();
        stopped.await();
    }
}
