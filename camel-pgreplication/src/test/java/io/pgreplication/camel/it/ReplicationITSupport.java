package io.pgreplication.camel.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the integration tests: a fresh CamelContext per test, a unique slot, publication and table prefix, and
 * clean-up of the server objects afterwards.
 */
public abstract class ReplicationITSupport {

    protected final TestDatabase db = TestDatabase.get();
    protected final List<CamelContext> contexts = new ArrayList<>();
    protected String slot;
    protected String publication;

    @BeforeEach
    void names() {
        slot = TestDatabase.uniqueName("slot");
        publication = slot + "_pub";
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (CamelContext context : contexts) {
            context.stop();
        }
        db.dropSlotAndPublication(slot, publication);
    }

    /** {@code pgreplication:<slot>?publication=<pub>&<connection>&<extra>} */
    protected String uri(String extra) {
        return "pgreplication:" + slot + "?publication=" + publication + "&" + db.endpointOptions()
               + (extra.isEmpty() ? "" : "&" + extra);
    }

    protected CamelContext start(RoutesBuilder routes) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(routes);
        contexts.add(context);
        context.start();
        return context;
    }

    /** Starts {@code from(uri(extra)).process(processor)} in a context of its own. */
    protected CamelContext startRoute(String extra, Processor processor) throws Exception {
        return start(new RouteBuilder() {
            public void configure() {
                from(uri(extra)).process(processor);
            }
        });
    }

    /** A context, not started, with one route from {@code endpointUri}: for tests whose start must fail. */
    protected CamelContext unstarted(String endpointUri) throws Exception {
        CamelContext context = new DefaultCamelContext();
        contexts.add(context);
        context.addRoutes(new RouteBuilder() {
            public void configure() {
                from(endpointUri).to("log:ignored");
            }
        });
        return context;
    }

    /** Starts a route from {@code uri(extra)} into a {@link Received} and waits until it streams. */
    protected Received stream(String extra) throws Exception {
        Received received = new Received();
        startRoute(extra, received);
        awaitStreaming();
        return received;
    }

    protected static ConditionFactory await() {
        return Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50));
    }

    /** Waits until the consumer's slot exists and is streaming (active). */
    protected void awaitStreaming() {
        await().until(() -> "t".equals(db.queryString("SELECT active FROM pg_replication_slots WHERE slot_name = '"
                                                      + slot + "'")));
    }

    protected String confirmed() {
        return db.confirmedFlushLsn(slot);
    }

    /** Compares LSN strings as PostgreSQL does. */
    protected long lsnDiff(String a, String b) {
        return Long.parseLong(db.queryString("SELECT pg_wal_lsn_diff('" + a + "', '" + b + "')::bigint"));
    }
}
