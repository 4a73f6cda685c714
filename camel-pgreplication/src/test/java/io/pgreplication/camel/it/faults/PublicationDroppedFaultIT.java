package io.pgreplication.camel.it.faults;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publication dropped under a streaming consumer. What happens next depends on the server:
 * <ul>
 * <li>Up to PostgreSQL 17, every later change fails to decode, even after the publication is recreated, because the
 * server decodes each change with the catalog of its time. The consumer cannot repair this alone: it stops confirming,
 * reports DOWN with the fix, and once an operator recreates the publication and moves the slot past the gap, it streams
 * on.</li>
 * <li>PostgreSQL 18 streams on without the publication and skips every change written meanwhile. The consumer keeps
 * streaming but reports DOWN, naming the missing publication, until it is recreated; then changes flow again.</li>
 * </ul>
 * Either way nothing is lost outside the gap. Runs on every version of the compatibility matrix.
 */
@Tag("compat")
class PublicationDroppedFaultIT extends FaultITSupport {

    @Test
    void aDroppedPublicationIsReportedWithTheFixAndTheRecoveryLosesNothingElse() throws Exception {
        boolean skipsMissingPublications = db.serverVersion() >= 180000;
        String gap = slot + "_gap";
        startWorkload();
        CamelContext context = startSinkRoute(faultUri(""), "pubdrop");
        await().until(() -> consumer(context).isStreaming());
        writeMore(100 + randomMillis(0, 200));
        awaitAllConfirmed();
        db.execute("CREATE TABLE " + gap + " AS SELECT id, seq AS after_seq, 0 AS until_seq FROM " + table,
                "DROP PUBLICATION " + publication);
        String sinkRows = db.queryString("SELECT count(*) FROM " + sink);
        startWorkload();
        writeMore(100);
        if (skipsMissingPublications) {
            await().until(() -> health(context).getState() == HealthCheck.State.DOWN);
            assertThat(consumer(context).isStreaming()).as("PostgreSQL 18 streams on without the publication")
                    .isTrue();
            assertThat(health(context).getMessage()).hasValueSatisfying(m -> assertThat(m)
                    .contains("publication " + publication + " does not exist").contains("Recreate it"));
        } else {
            await().until(() -> consumer(context).getReconnectAttempts() >= 2);
            HealthCheck.Result down = health(context);
            assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(down.getMessage()).hasValueSatisfying(m -> assertThat(m)
                    .contains("publication " + publication + " was dropped").contains("pg_replication_slot_advance"));
        }
        workload.close();
        assertThat(db.queryString("SELECT count(*) FROM " + sink)).as("nothing delivered without the publication")
                .isEqualTo(sinkRows);

        // The documented recovery: recreate; up to PostgreSQL 17 also stop the route, advance the slot past the gap
        // and start it again.
        db.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        String recreated = db.queryString("SELECT pg_current_wal_lsn()::text");
        db.execute("UPDATE " + gap + " g SET until_seq = t.seq FROM " + table + " t WHERE t.id = g.id",
                "INSERT INTO " + gap + " SELECT id, 0, seq FROM " + table + " t WHERE NOT EXISTS (SELECT 1 FROM "
                + gap + " g WHERE g.id = t.id)");
        if (!skipsMissingPublications) {
            context.getRouteController().stopRoute("pubdrop");
            db.execute("SELECT pg_replication_slot_advance('" + slot + "', '" + recreated + "')");
            context.getRouteController().startRoute("pubdrop");
        }
        startWorkload();
        await().until(() -> consumer(context).isStreaming());
        writeMore(100 + randomMillis(0, 200));
        await().until(() -> health(context).getState() == HealthCheck.State.UP);
        finish("publication dropped, recreated" + (skipsMissingPublications ? "" : ", slot advanced past the gap"),
                1, gap);
        db.execute("DROP TABLE " + gap);
    }
}
