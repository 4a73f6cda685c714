package io.pgreplication.camel.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.PgReplicationConstants;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.ChangeRows;
import io.pgreplication.camel.lsn.Lsn;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagementIT extends ReplicationITSupport {

    private CamelContext context;
    private ProducerTemplate template;
    private String table;

    @BeforeEach
    void producer() throws Exception {
        table = TestDatabase.uniqueName("mgmt");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)",
                "INSERT INTO " + table + " SELECT g, 'v' || g FROM generate_series(1, 45) g");
        context = new DefaultCamelContext();
        contexts.add(context);
        context.start();
        template = context.createProducerTemplate();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> run(String operation) {
        return template.requestBody(uri("tables=" + table + "&operation=" + operation), null, Map.class);
    }

    @Test
    void statusReportsSlotPublicationAndTheWalTheSlotRetains() throws Exception {
        run("createPublication");
        Map<String, Object> created = run("createSlot");
        assertThat(created.get("plugin")).isEqualTo("pgoutput");
        // Committed synchronously, so the WAL write position (what retained WAL is measured to) has passed it.
        db.execute("SET synchronous_commit = on",
                "INSERT INTO " + table + " SELECT g, repeat('x', 200) FROM generate_series(100, 2100) g");

        Map<String, Object> status = run("status");
        String json = new ObjectMapper().writeValueAsString(status);
        JsonNode node = new ObjectMapper().readTree(json);
        List<String> fields = new ArrayList<>();
        node.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("slot", "plugin", "active", "activePid", "confirmedFlushLsn",
                "restartLsn", "retainedWalBytes", "walStatus", "publication", "publish", "tables");
        assertThat(status.get("slot")).isEqualTo(slot);
        assertThat(status.get("active")).isEqualTo(false);
        assertThat(status.get("activePid")).isNull();
        assertThat(status.get("confirmedFlushLsn")).isEqualTo(confirmed());
        assertThat((Long) status.get("retainedWalBytes")).isGreaterThan(2000L * 200);
        assertThat(status.get("walStatus")).isEqualTo("reserved");
        assertThat(status.get("publication")).isEqualTo(publication);
        assertThat(status.get("publish")).isEqualTo(List.of("insert", "update", "delete", "truncate"));
        assertThat(status.get("tables")).isEqualTo(List.of("public." + table));
    }

    @Test
    void createOperationsAreIdempotentAndDropsRemoveWhatTheyName() {
        run("createPublication");
        run("createPublication");
        run("createSlot");
        String lsn = confirmed();
        assertThat(run("createSlot").get("confirmedFlushLsn")).isEqualTo(lsn);
        if (db.serverVersion() >= 170000) {
            assertThat(db.queryString("SELECT failover FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                    .as("failover=true by default").isEqualTo("t");
        }

        Map<String, Object> afterDrop = run("dropSlot");
        assertThat(afterDrop.get("plugin")).isNull();
        assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .isEqualTo("0");
        assertThat(run("dropSlot").get("restartLsn")).isNull();
        Map<String, Object> noPublication = run("dropPublication");
        assertThat(noPublication.get("publish")).isNull();
        assertThat(noPublication.get("tables")).isEqualTo(List.of());
        assertThat(db.queryString("SELECT count(*) FROM pg_publication WHERE pubname = '" + publication + "'"))
                .isEqualTo("0");
    }

    @Test
    void droppingOrAdvancingAnActiveSlotNamesTheProcessHoldingIt() throws Exception {
        start(new RouteBuilder() {
            public void configure() {
                from(uri("tables=" + table)).to("log:ignored?level=OFF");
            }
        });
        awaitStreaming();
        String pid = db.queryString("SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        assertThatThrownBy(() -> run("dropSlot")).isInstanceOf(CamelExecutionException.class).cause()
                .hasMessageContaining("in use by PID " + pid)
                .hasMessageContaining("application_name='camel-pgreplication " + slot + "'")
                .hasMessageContaining("pg_terminate_backend(" + pid + ")");
        assertThatThrownBy(() -> template.requestBodyAndHeader(uri("operation=advanceSlot"), null,
                PgReplicationConstants.ADVANCE_LSN, confirmed())).cause()
                .hasMessageContaining("in use by PID " + pid);
        assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .isEqualTo("1");
    }

    @Test
    void advanceSlotMovesTheSlotForwardToTheHeaderLsnAndNeverBack() {
        run("createPublication");
        run("createSlot");
        String start = confirmed();
        // A flushed commit: the server never advances a slot past its flush position.
        db.execute("SET synchronous_commit = on", "INSERT INTO " + table + " VALUES (1000, 'x')");
        String target = db.queryString("SELECT pg_current_wal_flush_lsn()::text");
        assertThat(lsnDiff(target, start)).isPositive();

        Map<?, ?> status = template.requestBodyAndHeader(uri("operation=advanceSlot"), null,
                PgReplicationConstants.ADVANCE_LSN, target, Map.class);
        assertThat(status.get("confirmedFlushLsn")).isEqualTo(target);
        assertThat(confirmed()).isEqualTo(target);

        // A slot never moves back: an older target leaves it where it is.
        Map<?, ?> unchanged = template.requestBodyAndHeader(uri("operation=advanceSlot"), null,
                PgReplicationConstants.ADVANCE_LSN, start, Map.class);
        assertThat(unchanged.get("confirmedFlushLsn")).isEqualTo(target);
        assertThatThrownBy(() -> run("advanceSlot")).cause()
                .hasMessageContaining("needs header CamelPgReplicationAdvanceLsn");
        assertThatThrownBy(() -> template.requestBodyAndHeader(uri("operation=advanceSlot"), null,
                PgReplicationConstants.ADVANCE_LSN, "16B3748")).cause()
                .hasMessageContaining("CamelPgReplicationAdvanceLsn").hasMessageContaining("expected X/Y");
        db.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        assertThatThrownBy(() -> template.requestBodyAndHeader(uri("operation=advanceSlot"), null,
                PgReplicationConstants.ADVANCE_LSN, target)).cause()
                .hasMessageContaining("does not exist").hasMessageContaining("operation=createSlot");
    }

    @Test
    void theOperationHeaderOverridesTheEndpointOperation() {
        Map<?, ?> status = template.requestBodyAndHeader(uri("tables=" + table + "&operation=status"), null,
                PgReplicationConstants.OPERATION, "createPublication", Map.class);
        assertThat(status.get("tables")).isEqualTo(List.of("public." + table));
        assertThatThrownBy(() -> template.requestBody(uri(""), (Object) null)).cause()
                .hasMessageContaining("no management operation").hasMessageContaining("CamelPgReplicationOperation");
    }

    @Test
    void snapshotOperationStreamsBatchesToASplitterAndLeavesNoSlot() throws Exception {
        assertThatThrownBy(() -> run("snapshot")).cause().hasMessageContaining("publication " + publication)
                .hasMessageContaining("does not exist").hasMessageContaining("operation=createPublication");
        run("createPublication");
        Received received = new Received();
        List<String> tables = new ArrayList<>();
        context.addRoutes(new RouteBuilder() {
            public void configure() {
                from("direct:snapshot").to(uri("tables=" + table + "&operation=snapshot&batchSize=10"))
                        .split(body()).streaming()
                        .process(e -> tables.add(e.getIn().getHeader(PgReplicationConstants.TABLE, String.class)))
                        .process(received);
            }
        });
        template.sendBody("direct:snapshot", null);

        assertThat(received.eventCount()).isEqualTo(45);
        assertThat(received.batches()).hasSize(5);
        assertThat(tables).containsOnly("public." + table);
        assertThat(received.batches()).allSatisfy(b -> {
            assertThat(b.headers().get(PgReplicationConstants.SNAPSHOT)).isEqualTo(true);
            assertThat(b.headers().get(PgReplicationConstants.KEY_COLUMNS)).isEqualTo(List.of("id"));
        });
        ChangeEvent e = received.events().get(0);
        assertThat(e.getOp()).isEqualTo("snapshot");
        assertThat(received.events().stream().map(x -> x.getKey().get("id")).distinct().count()).isEqualTo(45);
        assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '" + slot
                                  + "%'")).isEqualTo("0");
    }

    /** The producer's snapshot batches follow outputFormat like the consumer's: dlt-style rows with lsn. */
    @Test
    void snapshotOperationGivesRowsWithOutputFormatRows() throws Exception {
        run("createPublication");
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> lsns = new ArrayList<>();
        context.addRoutes(new RouteBuilder() {
            public void configure() {
                from("direct:snapshotRows")
                        .to(uri("tables=" + table + "&operation=snapshot&batchSize=20&outputFormat=rows"))
                        .split(body()).streaming()
                        .process(e -> {
                            lsns.add(e.getIn().getHeader(PgReplicationConstants.LSN, String.class));
                            for (Object row : e.getIn().getBody(List.class)) {
                                @SuppressWarnings("unchecked")
                                Map<String, Object> map = (Map<String, Object>) row;
                                rows.add(map);
                            }
                        });
            }
        });
        template.sendBody("direct:snapshotRows", null);

        assertThat(rows).hasSize(45);
        assertThat(lsns).hasSize(3).containsOnly(lsns.get(0));
        long consistentPoint = Lsn.parse(lsns.get(0)).value();
        assertThat(rows).allSatisfy(row -> {
            assertThat(row).containsKeys("id", ChangeRows.LSN).doesNotContainKey(ChangeRows.DELETED_TS);
            assertThat(row.get(ChangeRows.LSN)).isEqualTo(consistentPoint);
        });
        assertThat(rows.stream().map(r -> r.get("id")).distinct().count()).isEqualTo(45);
    }
}
