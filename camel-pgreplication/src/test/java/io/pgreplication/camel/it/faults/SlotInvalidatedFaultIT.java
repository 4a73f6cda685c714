package io.pgreplication.camel.it.faults;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A slot invalidated by max_slot_wal_keep_size (PostgreSQL 13+) while the route is blocked: the server removes WAL the
 * slot needs. Changes are gone by the server's decision; the consumer must say so clearly, naming the cause and its
 * fix, report DOWN, and must not pretend to stream. PostgreSQL 13 to 18 word the error three ways, so this runs on
 * every version of the compatibility matrix; on 18 also a slot invalidated for idleness (idle_timeout).
 */
@Tag("compat")
class SlotInvalidatedFaultIT extends FaultITSupport {

    @Test
    void aSlotInvalidatedByMaxSlotWalKeepSizeGivesAClearErrorAndHealthDown() throws Exception {
        OwnedServer server = new OwnedServer(db);
        assumeTrue(db.serverVersion() >= 130000, "max_slot_wal_keep_size needs PostgreSQL 13");
        AtomicBoolean block = new AtomicBoolean();
        AtomicInteger blocked = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        DurableSink durable = new DurableSink(db.jdbcUrl(), db.user(), db.password(), sink, "invalidated");
        startWorkload();
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                from(faultUri("")).routeId("invalidated").process(e -> {
                    if (block.get()) {
                        blocked.incrementAndGet();
                        release.await();
                    }
                }).process(durable);
            }
        });
        await().until(() -> consumer(context).isStreaming());
        writeMore(100);
        block.set(true);
        await().until(() -> blocked.get() > 0);
        try {
            db.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
            await().until(() -> {
                // Past the limit: new WAL segments, then a checkpoint removes the old ones and invalidates the slot.
                writeMore(20);
                db.execute("SELECT pg_switch_wal()", "CHECKPOINT");
                return "lost".equals(db.queryString("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '"
                                                    + slot + "'"));
            });
        } finally {
            db.execute("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
            release.countDown();
        }
        workload.close();
        await().until(() -> consumer(context).getReconnectAttempts() >= 2);
        HealthCheck.Result down = health(context);
        assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(down.getMessage()).hasValueSatisfying(m -> assertThat(m)
                .contains("replication slot was invalidated (wal_removed)").contains("max_slot_wal_keep_size")
                .contains("reset=true&snapshotMode=initial"));
        assertThat(consumer(context).isStreaming()).isFalse();
        ReliabilityReport.Result r = ReliabilityReport.check(db, table, sink);
        ReliabilityReport.print("slot invalidated by max_slot_wal_keep_size (clear error, health DOWN)", 1,
                r.written(), r.delivered(), "n/a: WAL removed by the server (" + r.lost() + " not delivered)",
                r.duplicated());
    }

    @Test
    void aSlotInvalidatedForIdlenessFailsTheStartWithItsOwnFix() throws Exception {
        assumeTrue(db.serverVersion() >= 180000, "idle_replication_slot_timeout needs PostgreSQL 18");
        new OwnedServer(db);
        try {
            db.execute("ALTER SYSTEM SET idle_replication_slot_timeout = 1", "SELECT pg_reload_conf()");
            await().until(() -> {
                // Checked at checkpoints, for slots inactive longer than the timeout (seconds).
                Thread.sleep(1100);
                db.execute("CHECKPOINT");
                return "idle_timeout".equals(db.queryString("SELECT invalidation_reason FROM pg_replication_slots"
                                                            + " WHERE slot_name = '" + slot + "'"));
            });
        } finally {
            db.execute("ALTER SYSTEM RESET idle_replication_slot_timeout", "SELECT pg_reload_conf()");
        }
        CamelContext context = unstarted(faultUri(""));
        assertThatThrownBy(context::start)
                .hasStackTraceContaining("slot=" + slot + ": the replication slot was invalidated (idle_timeout)")
                .hasStackTraceContaining("raise idle_replication_slot_timeout (0 turns it off)")
                .hasStackTraceContaining("reset=true&snapshotMode=initial");
    }
}
