package io.pgreplication.camel.it;

import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The failover property of the slots the component makes (PostgreSQL 17+), as {@code pg_replication_slots.failover}
 * shows it: on by default, also on the slot the initial snapshot copies from its temporary slot (the copy drops it),
 * set on an existing slot that lacks it, off with {@code failover=false}; an INFO line below 17.
 */
@Tag("compat")
class FailoverPropertyIT extends ReplicationITSupport {

    private String table;

    @BeforeEach
    void table() {
        table = slot + "_t";
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "INSERT INTO " + table + " VALUES (1)");
    }

    @Test
    void aSlotTheComponentCreatesCanFailOver() throws Exception {
        try (LogCapture log = LogCapture.start("failover", Level.INFO)) {
            stream("tables=" + table);
            if (db.serverVersion() >= 170000) {
                assertThat(failover()).isEqualTo("t");
            } else {
                assertThat(log.text()).contains("slot=" + slot + " failover=true is ignored: PostgreSQL "
                                                + db.serverVersion() / 10000 + " has no failover slots");
            }
        }
    }

    @Test
    void theSlotTheInitialSnapshotMakesCanFailOverToo() throws Exception {
        assumeTrue(db.serverVersion() >= 170000, "failover slots need PostgreSQL 17");
        Received received = stream("tables=" + table + "&snapshotMode=initial");
        await().until(() -> received.events().size() == 1);
        assertThat(failover()).as("pg_copy_logical_replication_slot drops it; the component sets it again")
                .isEqualTo("t");
    }

    @Test
    void anExistingSlotWithoutThePropertyGetsItAtStart() throws Exception {
        assumeTrue(db.serverVersion() >= 170000, "failover slots need PostgreSQL 17");
        db.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + table,
                "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        assertThat(failover()).isEqualTo("f");
        stream("");
        assertThat(failover()).isEqualTo("t");
    }

    @Test
    void aSlotAnotherConsumerStreamsIsNotWaitedFor() throws Exception {
        assumeTrue(db.serverVersion() >= 170000, "failover slots need PostgreSQL 17");
        stream("tables=" + table + "&failover=false");
        try (LogCapture log = LogCapture.start("held", Level.WARN)) {
            startRoute("tables=" + table, new Received());
            assertThat(log.text()).contains("slot=" + slot + " the slot lacks the failover property, and another"
                                            + " process uses it now, so it is not set");
        }
        assertThat(failover()).isEqualTo("f");
    }

    @Test
    void failoverFalseLeavesItOff() throws Exception {
        assumeTrue(db.serverVersion() >= 170000, "failover slots need PostgreSQL 17");
        stream("tables=" + table + "&failover=false");
        assertThat(failover()).isEqualTo("f");
    }

    private String failover() {
        return db.queryString("SELECT failover FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }
}
