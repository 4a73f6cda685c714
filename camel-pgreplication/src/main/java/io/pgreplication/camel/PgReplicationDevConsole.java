package io.pgreplication.camel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.pgreplication.camel.session.SessionStatus;
import org.apache.camel.Route;
import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;
import org.apache.camel.util.json.JsonObject;

/**
 * The {@code pgreplication} dev console: per consumer the slot, publication, stream state, received and confirmed
 * LSNs, retained WAL, changes/s and batches in flight. Never shows credentials.
 */
@DevConsole(name = "pgreplication", displayName = "PostgreSQL Replication",
            description = "Logical replication consumers: positions, lag and throughput")
public class PgReplicationDevConsole extends AbstractDevConsole {

    public PgReplicationDevConsole() {
        super("camel", "pgreplication", "PostgreSQL Replication",
              "Logical replication consumers: positions, lag and throughput");
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, PgReplicationConsumer> e : consumers().entrySet()) {
            PgReplicationConsumer c = e.getValue();
            SessionStatus s = c.status();
            out.append(String.format(Locale.ROOT, "Route %s: slot %s, publication %s, %s (protocol %d)%n", e.getKey(),
                    c.getSlotName(), c.getPublication(), s.isStreaming() ? "streaming"
                            : "not streaming: " + s.state().name().toLowerCase(Locale.ROOT), s.protocolVersion()));
            out.append(String.format(Locale.ROOT, "    received %s, confirmed %s, retained WAL %d bytes%n", s.received(),
                    s.confirmed(), c.getRetainedWalBytes()));
            out.append(String.format(Locale.ROOT, "    %.1f changes/s, %d delivered, %d batches (%d bytes) in flight,"
                                                  + " %d failed attempts%n", c.getChangesPerSecond(),
                    c.getChangesDelivered(), c.getBatchesInFlight(), c.getBytesInFlight(), s.failedAttempts()));
            if (s.backfill() != null) {
                out.append(String.format(Locale.ROOT, "    backfill %s in progress%n", s.backfill()));
            }
        }
        return out.toString();
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        List<JsonObject> list = new ArrayList<>();
        for (Map.Entry<String, PgReplicationConsumer> e : consumers().entrySet()) {
            PgReplicationConsumer c = e.getValue();
            SessionStatus s = c.status();
            JsonObject jo = new JsonObject();
            jo.put("routeId", e.getKey());
            jo.put("slot", c.getSlotName());
            jo.put("publication", c.getPublication());
            jo.put("streaming", s.isStreaming());
            jo.put("protocolVersion", s.protocolVersion());
            jo.put("lastReceivedLsn", s.received().toString());
            jo.put("confirmedLsn", s.confirmed().toString());
            jo.put("retainedWalBytes", c.getRetainedWalBytes());
            jo.put("changesPerSecond", c.getChangesPerSecond());
            jo.put("changesDelivered", c.getChangesDelivered());
            jo.put("batchesInFlight", c.getBatchesInFlight());
            jo.put("bytesInFlight", c.getBytesInFlight());
            jo.put("state", s.state().name());
            jo.put("reconnectAttempts", s.failedAttempts());
            jo.put("backfill", s.backfill());
            list.add(jo);
        }
        JsonObject root = new JsonObject();
        root.put("consumers", list);
        return root;
    }

    private Map<String, PgReplicationConsumer> consumers() {
        Map<String, PgReplicationConsumer> result = new LinkedHashMap<>();
        for (Route route : getCamelContext().getRoutes()) {
            if (route.getConsumer() instanceof PgReplicationConsumer c) {
                result.put(route.getRouteId(), c);
            }
        }
        return result;
    }
}
