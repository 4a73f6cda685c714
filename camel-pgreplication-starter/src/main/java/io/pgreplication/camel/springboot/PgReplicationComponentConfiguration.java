package io.pgreplication.camel.springboot;

import java.time.Duration;

import io.pgreplication.camel.PgReplicationConfiguration;
import org.apache.camel.spi.StateRepository;
import org.apache.camel.spring.boot.ComponentConfigurationPropertiesCommon;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The pgreplication component's options as Spring Boot properties, {@code camel.component.pgreplication.*}: every
 * option of the component (docs/options.md, "Component options"), set once for every endpoint. Options left unset keep
 * the component's defaults.
 */
@ConfigurationProperties(prefix = "camel.component.pgreplication")
public class PgReplicationComponentConfiguration extends ComponentConfigurationPropertiesCommon {

    /**
     * Options shared by all endpoints of this component (a PgReplicationConfiguration bean).
     */
    private PgReplicationConfiguration configuration;

    /**
     * Slots the component creates get the failover property (PostgreSQL 17 and newer), so a standby with
     * sync_replication_slots = on keeps a copy that survives its promotion; also set on an existing slot that lacks
     * it. Ignored, with an INFO line, below PostgreSQL 17.
     */
    private Boolean failover = true;

    /**
     * A batch also closes before its values would pass this size, measured as they came from the server: a number of
     * bytes, or a number with kB, MB or GB (powers of 1024), e.g. 16MB. A single larger change travels alone.
     */
    private String maxBatchBytes = "64MB";

    /**
     * A StateRepository bean (e.g. FileStateRepository, as #bean:name) in which the consumer records the slot's
     * confirmed position per server; a slot it records but the server lacks is never created again silently.
     */
    private StateRepository<String, String> offsetRepository;

    /**
     * The publication to stream; defaults to the slot name. SQL identifier rules: quote mixed case.
     */
    private String publication;

    /**
     * Comma list of schema.table, table (in public) or schema.* (the whole schema, tables created later included on
     * PostgreSQL 15+). Creates or extends the publication and filters what is delivered. Omitted: the tables already
     * in the publication; if the publication must be created, public.*.
     */
    private String tables;

    /**
     * The database: jdbc:postgresql://host:5432/db?sslmode=require, or the libpq form
     * postgresql://user:pass@host:5432/db?sslmode=require&connect_timeout=300. Prefer the user and password options
     * over credentials inside the URL.
     */
    private String url;

    /**
     * The most changes in one exchange. A batch holds changes of one table.
     */
    private Integer batchSize = 1000;

    /**
     * While routes are busy, a partial batch is sent when its oldest change is this old (500, 500ms, 1s). When the
     * consumer has read everything the server sent and no batch is in a route, partial batches go out at once. A
     * duration: 500 (milliseconds), 500ms, 10s, 1m.
     */
    private Duration batchTimeout = Duration.ofMillis(100);

    /**
     * Route consumer errors (connecting, decoding) into the route's error handler as exchanges, instead of logging
     * them.
     */
    private Boolean bridgeErrorHandler = false;

    /**
     * Create a missing publication and add missing tables to an existing one; tables are never removed.
     */
    private Boolean createPublication = true;

    /**
     * Create the replication slot when it is missing.
     */
    private Boolean createSlot = true;

    /**
     * Confirm the slot when exchanges complete; false never moves the slot (the server keeps all WAL).
     */
    private Boolean flushSlot = true;

    /**
     * Per-table column allow-list: public.orders(id,status);items(id,qty), or a Map bean (#bean:name). Tables not
     * listed keep all their columns; the key columns always travel in the event key.
     */
    private String includeColumns;

    /**
     * Deliver pg_logical_emit_message messages (PostgreSQL 14+) as message events. Messages with the prefix
     * pgreplication are the component's own (backfill requests) and never delivered.
     */
    private Boolean messages = false;

    /**
     * The body: events (a list of change events) or rows (dlt-style maps with lsn and deleted_ts).
     */
    private String outputFormat = "events";

    /**
     * never: stream changes only; initial: when the consumer creates the slot, read every published table in the
     * slot's snapshot first, then stream (on an existing slot, tables added to option tables are read by an online
     * backfill, PostgreSQL 14+); initialOnly: the snapshot, then stop.
     */
    private String snapshotMode = "never";

    /**
     * Ask the server for values in binary form (PostgreSQL 14 and newer), used when every delivered column's type
     * decodes exactly from it (docs/types.md), otherwise values come as text. The Java values are the same either way.
     * false asks for text values on every server.
     */
    private Boolean binaryValues = true;

    /**
     * The longest wait between reconnect attempts. A duration: 500 (milliseconds), 500ms, 10s, 1m.
     */
    private Duration maxReconnectDelay = Duration.ofMillis(60000);

    /**
     * Operations published when the component creates the publication: any of insert,update,delete,truncate.
     */
    private String publish = "insert,update,delete,truncate";

    /**
     * The first wait before reconnecting after a lost connection or a failed batch; doubles up to maxReconnectDelay. A
     * duration: 500 (milliseconds), 500ms, 10s, 1m.
     */
    private Duration reconnectDelay = Duration.ofMillis(1000);

    /**
     * Drop and recreate the slot and the publication at start: everything not yet confirmed is skipped.
     */
    private Boolean reset = false;

    /**
     * How many connections read a snapshot at once, sharing the slot's exported snapshot.
     */
    private Integer snapshotParallelism = 2;

    /**
     * How often status updates (and confirmations) are sent to the server; keep it well under wal_sender_timeout. A
     * duration: 500 (milliseconds), 500ms, 10s, 1m.
     */
    private Duration statusInterval = Duration.ofMillis(10000);

    /**
     * Start producers on their first message instead of at route start, so a producer that cannot start yet does not
     * stop the route from starting.
     */
    private Boolean lazyStartProducer = false;

    /**
     * The management operation of a producer: status, createSlot, dropSlot, createPublication, dropPublication,
     * advanceSlot or snapshot.
     */
    private String operation;

    /**
     * Autowire options marked autowired with the single bean of their type in the registry.
     */
    private Boolean autowiredEnabled = true;

    /**
     * Used for enabling or disabling all consumer based health checks from this component
     */
    private Boolean healthCheckConsumerEnabled = true;

    /**
     * Enable the health checks of this component's producers (Camel disables producer health checks unless
     * camel.health.producersEnabled=true).
     */
    private Boolean healthCheckProducerEnabled = true;

    /**
     * The health check reports DOWN while the slot retains more WAL than this many bytes (pg_current_wal_lsn() minus
     * the slot's restart_lsn), e.g. 1073741824 for 1 GiB; 0: no limit.
     */
    private Long retainedWalThreshold = 0L;

    /**
     * The role's password; never logged or shown. Overrides a password in url.
     */
    private String password;

    /**
     * The database role; needs the REPLICATION attribute. Overrides a user in url.
     */
    private String user;

    public PgReplicationConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(PgReplicationConfiguration configuration) {
        this.configuration = configuration;
    }

    public String getPublication() {
        return publication;
    }

    public void setPublication(String publication) {
        this.publication = publication;
    }

    public String getTables() {
        return tables;
    }

    public void setTables(String tables) {
        this.tables = tables;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public Integer getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(Integer batchSize) {
        this.batchSize = batchSize;
    }

    public Duration getBatchTimeout() {
        return batchTimeout;
    }

    public void setBatchTimeout(Duration batchTimeout) {
        this.batchTimeout = batchTimeout;
    }

    public Boolean getBridgeErrorHandler() {
        return bridgeErrorHandler;
    }

    public void setBridgeErrorHandler(Boolean bridgeErrorHandler) {
        this.bridgeErrorHandler = bridgeErrorHandler;
    }

    public Boolean getCreatePublication() {
        return createPublication;
    }

    public void setCreatePublication(Boolean createPublication) {
        this.createPublication = createPublication;
    }

    public Boolean getCreateSlot() {
        return createSlot;
    }

    public void setCreateSlot(Boolean createSlot) {
        this.createSlot = createSlot;
    }

    public Boolean getFlushSlot() {
        return flushSlot;
    }

    public void setFlushSlot(Boolean flushSlot) {
        this.flushSlot = flushSlot;
    }

    public String getIncludeColumns() {
        return includeColumns;
    }

    public void setIncludeColumns(String includeColumns) {
        this.includeColumns = includeColumns;
    }

    public Boolean getMessages() {
        return messages;
    }

    public void setMessages(Boolean messages) {
        this.messages = messages;
    }

    public String getOutputFormat() {
        return outputFormat;
    }

    public void setOutputFormat(String outputFormat) {
        this.outputFormat = outputFormat;
    }

    public String getSnapshotMode() {
        return snapshotMode;
    }

    public void setSnapshotMode(String snapshotMode) {
        this.snapshotMode = snapshotMode;
    }

    public Boolean getBinaryValues() {
        return binaryValues;
    }

    public void setBinaryValues(Boolean binaryValues) {
        this.binaryValues = binaryValues;
    }

    public Duration getMaxReconnectDelay() {
        return maxReconnectDelay;
    }

    public void setMaxReconnectDelay(Duration maxReconnectDelay) {
        this.maxReconnectDelay = maxReconnectDelay;
    }

    public String getPublish() {
        return publish;
    }

    public void setPublish(String publish) {
        this.publish = publish;
    }

    public Duration getReconnectDelay() {
        return reconnectDelay;
    }

    public void setReconnectDelay(Duration reconnectDelay) {
        this.reconnectDelay = reconnectDelay;
    }

    public Boolean getReset() {
        return reset;
    }

    public void setReset(Boolean reset) {
        this.reset = reset;
    }

    public Integer getSnapshotParallelism() {
        return snapshotParallelism;
    }

    public void setSnapshotParallelism(Integer snapshotParallelism) {
        this.snapshotParallelism = snapshotParallelism;
    }

    public Duration getStatusInterval() {
        return statusInterval;
    }

    public void setStatusInterval(Duration statusInterval) {
        this.statusInterval = statusInterval;
    }

    public Boolean getLazyStartProducer() {
        return lazyStartProducer;
    }

    public void setLazyStartProducer(Boolean lazyStartProducer) {
        this.lazyStartProducer = lazyStartProducer;
    }

    public String getOperation() {
        return operation;
    }

    public void setOperation(String operation) {
        this.operation = operation;
    }

    public Boolean getAutowiredEnabled() {
        return autowiredEnabled;
    }

    public void setAutowiredEnabled(Boolean autowiredEnabled) {
        this.autowiredEnabled = autowiredEnabled;
    }

    public Boolean getHealthCheckConsumerEnabled() {
        return healthCheckConsumerEnabled;
    }

    public void setHealthCheckConsumerEnabled(Boolean healthCheckConsumerEnabled) {
        this.healthCheckConsumerEnabled = healthCheckConsumerEnabled;
    }

    public Boolean getHealthCheckProducerEnabled() {
        return healthCheckProducerEnabled;
    }

    public void setHealthCheckProducerEnabled(Boolean healthCheckProducerEnabled) {
        this.healthCheckProducerEnabled = healthCheckProducerEnabled;
    }

    public Long getRetainedWalThreshold() {
        return retainedWalThreshold;
    }

    public void setRetainedWalThreshold(Long retainedWalThreshold) {
        this.retainedWalThreshold = retainedWalThreshold;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public String getUser() {
        return user;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public Boolean getFailover() {
        return failover;
    }

    public void setFailover(Boolean failover) {
        this.failover = failover;
    }

    public String getMaxBatchBytes() {
        return maxBatchBytes;
    }

    public void setMaxBatchBytes(String maxBatchBytes) {
        this.maxBatchBytes = maxBatchBytes;
    }

    public StateRepository<String, String> getOffsetRepository() {
        return offsetRepository;
    }

    public void setOffsetRepository(StateRepository<String, String> offsetRepository) {
        this.offsetRepository = offsetRepository;
    }
}
