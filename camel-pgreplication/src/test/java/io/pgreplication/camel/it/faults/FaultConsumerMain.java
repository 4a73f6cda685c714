package io.pgreplication.camel.it.faults;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.impl.event.RouteStartedEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.spi.CamelEvent;

/**
 * The consumer process of the kill and failover tests: a CamelContext with one pgreplication route into the
 * {@link DurableSink}, run in a child JVM so the test can SIGKILL it. Arguments: endpoint URI, sink JDBC URL, user,
 * sink table, consumer name, and optionally a directory for a {@link FileLockClusterService}, in which case the route
 * runs under a {@link ClusteredRoutePolicy} (only the leader streams). The password comes from the environment
 * variable {@code FAULTS_PASSWORD}. Prints {@code ROUTE STARTED} when the route starts (leadership, if clustered).
 */
public final class FaultConsumerMain {

    private FaultConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String url = args[1];
        String user = args[2];
        String sink = args[3];
        String name = args[4];
        String clusterRoot = args.length > 5 ? args[5] : null;
        CamelContext context = new DefaultCamelContext();
        if (clusterRoot != null) {
            FileLockClusterService cluster = new FileLockClusterService();
            cluster.setId(name);
            cluster.setRoot(clusterRoot);
            cluster.setAcquireLockDelay(200, TimeUnit.MILLISECONDS);
            cluster.setAcquireLockInterval(500, TimeUnit.MILLISECONDS);
            context.addService(cluster);
        }
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof RouteStartedEvent) {
                    System.out.println("ROUTE STARTED " + name);
                    System.out.flush();
                }
            }
        });
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                var route = from(uri).routeId("faults");
                if (clusterRoot != null) {
                    route.routePolicy(ClusteredRoutePolicy.forNamespace("pgreplication-faults"));
                }
                route.process(new DurableSink(url, user, System.getenv("FAULTS_PASSWORD"), sink, name));
            }
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.stop();
            stopped.countDown();
        }));
        context.start();
        System.out.println("CONTEXT STARTED " + name);
        System.out.flush();
        stopped.await();
    }
}
