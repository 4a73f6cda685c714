package io.pgreplication.camel;

import java.util.Map;

import io.pgreplication.camel.admin.SlotInfo;
import io.pgreplication.camel.session.SessionStatus;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness and liveness of one consumer (docs/user-guide.md, "Monitoring"): UP while it streams from an existing,
 * valid slot whose retained WAL is within {@code retainedWalThreshold}, and while its initial snapshot runs; DOWN while
 * it is connecting or retrying (with the last error), when an Error stopped it (state FAILED, no retry), when the slot
 * is missing or invalidated, when the publication is missing, or when retained WAL passes the threshold (with the
 * numbers). Details never hold the password: the URL shown is host, port and database only.
 */
final class PgReplicationConsumerHealthCheck implements HealthCheck {

    private final PgReplicationConsumer consumer;
    private final String id;
    private boolean enabled = true;

    PgReplicationConsumerHealthCheck(PgReplicationConsumer consumer, String routeId) {
        this.consumer = consumer;
        this.id = "consumer:pgreplication-" + routeId;
    }

    @Override
    public String getGroup() {
        return "camel";
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public Result call(Map<String, Object> options) {
        SessionStatus status = consumer.status();
        HealthCheckResultBuilder result = HealthCheckResultBuilder.on(this);
        result.detail(ENDPOINT_URI, consumer.getEndpoint().getServiceUrl());
        result.detail("slot", consumer.getSlotName());
        result.detail("publication", consumer.getPublication());
        result.detail("streaming", status.isStreaming());
        result.detail("confirmedLsn", status.confirmed().toString());
        result.detail("lastReceivedLsn", status.received().toString());
        if (status.backfill() != null) {
            result.detail("backfill", status.backfill() + " in progress");
        }
        if (status.state() == SessionStatus.State.SNAPSHOT) {
            // Working as meant: the slot is only made when the snapshot completes, so it is absent until then.
            return result.detail("snapshot", "in progress").up().build();
        }
        if (!status.isStreaming()) {
            Throwable error = status.lastError();
            result.detail(FAILURE_ERROR_COUNT, status.failedAttempts());
            result.detail("state", status.state().name());
            if (status.state() == SessionStatus.State.FAILED) {
                return result.down().message("Stopped, no retry until the route is restarted: "
                                             + error.getMessage()).error(error).build();
            }
            return result.down().message(error == null ? "Not streaming yet"
                    : "Not streaming: " + error.getMessage()).error(error).build();
        }
        SlotMonitor.Reading reading = consumer.readSlot();
        if (reading.error() != null) {
            return result.down().message("Cannot read pg_replication_slots: " + reading.error().getMessage())
                    .error(reading.error()).build();
        }
        SlotInfo slot = reading.slot();
        if (slot == null) {
            return result.down().message("The replication slot " + consumer.getSlotName() + " does not exist")
                    .build();
        }
        result.detail("active", slot.active());
        result.detail("walStatus", slot.walStatus());
        if (slot.failover() != null) {
            result.detail("failover", slot.failover());
        }
        Long retained = slot.retainedWalBytes();
        long threshold = consumer.getRetainedWalThreshold();
        if (retained != null) {
            result.detail("retainedWalBytes", retained);
        }
        if (threshold > 0) {
            result.detail("retainedWalThreshold", threshold);
        }
        if (!reading.publicationExists()) {
            // PostgreSQL 18 streams on without it and skips every change written meanwhile; older servers stop the
            // stream (the consumer is then not streaming and reported above).
            return result.down().message("The publication " + consumer.getPublication() + " does not exist: changes"
                                         + " written while it is missing are not published, so they are not"
                                         + " delivered. Recreate it (operation=createPublication, or CREATE"
                                         + " PUBLICATION ... FOR TABLE ...)").build();
        }
        if (slot.invalidation() != null) {
            return result.down().message(slot.invalidation().describe()).build();
        }
        if (threshold > 0 && retained != null && retained > threshold) {
            return result.down().message("The slot retains " + retained + " bytes of WAL, more than"
                                         + " retainedWalThreshold=" + threshold + ": the routes are not keeping"
                                         + " up, or are failing").build();
        }
        return result.up().build();
    }
}
