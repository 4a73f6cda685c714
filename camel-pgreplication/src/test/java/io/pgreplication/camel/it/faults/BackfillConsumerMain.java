package io.pgreplication.camel.it.faults;

import java.util.concurrent.CountDownLatch;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The consumer process of the backfill kill test: a CamelContext with one pgreplication route into
 * {@link BackfillSinks}, in a child JVM so the test can SIGKILL it. Arguments: endpoint URI, sink JDBC URL, user, the
 * streamed table ({@code schema.table}), its sink table, the backfilled table's log table, consumer name. The
 * password comes from the environment variable {@code FAULTS_PASSWORD}. Prints {@code CONTEXT STARTED} once started.
 */
public final class BackfillConsumerMain {

    private BackfillConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String url = args[1];
        String user = args[2];
        String password = System.getenv("FAULTS_PASSWORD");
        String name = args[6];
        BackfillSinks sinks = new BackfillSinks(args[3], new DurableSink(url, user, password, args[4], name),
                new EventLogSink(url, user, password, args[5]), 10);
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId("backfill").process(sinks);
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
