package io.pgreplication.camel.it;

import java.util.List;
import java.util.Map;

import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotIT extends ReplicationITSupport {

    @Test
    void initialSnapshotDeliversExistingRowsThenStreamsFromTheConsistentPoint() throws Exception {
        String t = TestDatabase.uniqueName("snap");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, name text, amount numeric(8,2))",
                "INSERT INTO " + t + " SELECT g, 'n' || g, g * 1.5 FROM generate_series(1, 25) g");
        Received received = new Received();
        start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + t + "&snapshotMode=initial&batchSize=10")).process(received);
            }
        });
        await().until(() -> received.eventCount() == 25);
        awaitStreaming();
        db.execute("INSERT INTO " + t + " VALUES (26, 'late', 1)");
        await().until(() -> received.eventCount() == 26);

        List<Received.Batch> snapshotBatches = received.batches().stream()
                .filter(b -> Boolean.TRUE.equals(b.headers().get(PgReplicationConstants.SNAPSHOT))).toList();
        assertThat(snapshotBatches).hasSize(3);
        assertThat(snapshotBatches).allSatisfy(b -> assertThat(b.events().size()).isLessThanOrEqualTo(10));
        ChangeEvent first = snapshotBatches.get(0).events().get(0);
        assertThat(first.getOp()).isEqualTo("snapshot");
        assertThat(first.getBefore()).isNull();
        assertThat(first.getXid()).isNull();
        assertThat(first.getCommitTime()).isNull();
        assertThat(first.getLsn()).isEqualTo(first.getCommitLsn());
        assertThat(first.getKey()).containsOnlyKeys("id");
        assertThat(snapshotBatches.get(0).json()).contains("\"op\":\"snapshot\"", "\"xid\":null",
                "\"commitTime\":null", "\"before\":null");
        ChangeEvent late = received.events().get(25);
        assertThat(late.getOp()).isEqualTo("insert");
        assertThat(lsnDiff(late.getCommitLsn(), first.getLsn())).isPositive();
        assertThat(received.batches().get(received.batches().size() - 1).headers()
                .get(PgReplicationConstants.SNAPSHOT)).isEqualTo(false);
        // the slot was made at the snapshot's consistent point
        assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '" + slot
                                  + "_snapshot_%'")).isEqualTo("0");
    }
}
