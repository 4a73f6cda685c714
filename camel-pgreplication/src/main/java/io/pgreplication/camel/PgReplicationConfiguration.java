package io.pgreplication.camel;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.pgreplication.camel.admin.ReplicationSetup;
import io.pgreplication.camel.event.OutputFormat;
import io.pgreplication.camel.server.ConnectionSettings;
import io.pgreplication.camel.server.OffsetStore;
import io.pgreplication.camel.session.SessionOptions;
import io.pgreplication.camel.session.SnapshotMode;
import io.pgreplication.camel.table.Identifiers;
import io.pgreplication.camel.table.TableSpec;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.StateRepository;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** The options of a {@code pgreplication:} endpoint (docs/options.md); also settable once on the component. */
@UriParams
public class PgReplicationConfiguration implements Cloneable {

    private static final Set<String> OPERATIONS = Set.of("insert", "update", "delete", "truncate");

    @UriPath(description = "The logical replication slot to stream from: lower-case letters, digits and _,"
                           + " at most 63")
    @Metadata(required = true)
    private String slotName;
    @UriParam(label = "common")
    private String url;
    @UriParam(label = "common,security", secret = true)
    private String user;
    @UriParam(label = "common,security", secret = true)
    private String password;
    @UriParam(label = "common")
    private String publication;
    @UriParam(label = "common")
    private String tables;
    @UriParam(label = "consumer,advanced", defaultValue = "insert,update,delete,truncate")
    private String publish = "insert,update,delete,truncate";
    @UriParam(label = "consumer", defaultValue = "true")
    private boolean createPublication = true;
    @UriParam(label = "consumer", defaultValue = "true")
    private boolean createSlot = true;
    @UriParam(label = "consumer,advanced", defaultValue = "false")
    private boolean reset;
    @UriParam(label = "consumer", defaultValue = "1000")
    private int batchSize = 1000;
    @UriParam(label = "consumer", defaultValue = "100", javaType = "java.time.Duration")
    private long batchTimeout = 100;
    @UriParam(label = "consumer", defaultValue = "64MB")
    private String maxBatchBytes = "64MB";
    @UriParam(label = "consumer", defaultValue = "true")
    private boolean flushSlot = true;
    @UriParam(label = "consumer,advanced", defaultValue = "10000", javaType = "java.time.Duration")
    private long statusInterval = 10_000;
    @UriParam(label = "consumer,advanced", defaultValue = "1000", javaType = "java.time.Duration")
    private long reconnectDelay = 1_000;
    @UriParam(label = "consumer,advanced", defaultValue = "60000", javaType = "java.time.Duration")
    private long maxReconnectDelay = 60_000;
    @UriParam(label = "consumer")
    private Object includeColumns;
    @UriParam(label = "consumer", defaultValue = "events", enums = "events,rows")
    private OutputFormat outputFormat = OutputFormat.EVENTS;
    @UriParam(label = "consumer,advanced", defaultValue = "true",
              defaultValueNote = "binary values on PostgreSQL 14 and newer, text on older servers")
    private Boolean binaryValues = Boolean.TRUE;
    @UriParam(label = "consumer", defaultValue = "false")
    private boolean messages;
    @UriParam(label = "consumer", defaultValue = "never", enums = "never,initial,initialOnly")
    private SnapshotMode snapshotMode = SnapshotMode.NEVER;
    @UriParam(label = "consumer,advanced", defaultValue = "2")
    private int snapshotParallelism = 2;
    @UriParam(label = "consumer,health", defaultValue = "0")
    private long retainedWalThreshold;
    @UriParam(label = "common", defaultValue = "true")
    private boolean failover = true;
    @UriParam(label = "consumer")
    private StateRepository<String, String> offsetRepository;
    @UriParam(label = "producer",
              enums = "status,createSlot,dropSlot,createPublication,dropPublication,advanceSlot,snapshot,backfill")
    private ManagementOperation operation;

    public PgReplicationConfiguration copy() {
        try {
            return (PgReplicationConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    /**
     * Checks every option and freezes them into the endpoint's options. Throws {@link IllegalArgumentException} naming the
     * option, the bad value and what is allowed; never echoes url or password.
     */
    EndpointOptions validate() {
        if (!Identifiers.isValidSlotName(slotName)) {
            throw new IllegalArgumentException("Invalid slot name '" + slotName + "': use 1 to 63 lower-case letters,"
                                               + " digits and underscores, e.g. pgreplication:orders_slot");
        }
        requirePositive("batchSize", batchSize);
        requirePositive("batchTimeout", batchTimeout);
        requirePositive("statusInterval", statusInterval);
        requirePositive("reconnectDelay", reconnectDelay);
        requirePositive("snapshotParallelism", snapshotParallelism);
        if (retainedWalThreshold < 0) {
            throw new IllegalArgumentException("Invalid option retainedWalThreshold=" + retainedWalThreshold
                                               + ": use a number of bytes, or 0 for no limit");
        }
        if (maxReconnectDelay < reconnectDelay) {
            throw new IllegalArgumentException("Invalid option maxReconnectDelay=" + maxReconnectDelay + " ms: it must"
                                               + " be at least reconnectDelay (" + reconnectDelay + " ms)");
        }
        String pub = publication == null || publication.isBlank() ? slotName
                : OptionParser.name("publication", publication);
        List<TableSpec> tableList = OptionParser.tables("tables", tables);
        String publishList = normalizePublish();
        ConnectionSettings connection = ConnectionSettings.of(url, user, password);
        ReplicationSetup.Request setup = new ReplicationSetup.Request(slotName, pub, tableList, publishList,
                createPublication, createSlot, reset, failover);
        OutputFormat format = requireNonNull("outputFormat", outputFormat, OutputFormat.values());
        SnapshotMode snapshot = requireNonNull("snapshotMode", snapshotMode, SnapshotMode.values());
        SessionOptions session = new SessionOptions(connection, setup,
                OptionParser.includeColumns("includeColumns", includeColumns),
                new SessionOptions.Stream(binaryValues, messages, flushSlot, Duration.ofMillis(statusInterval)),
                new SessionOptions.Batching(batchSize, OptionParser.size("maxBatchBytes", maxBatchBytes),
                        Duration.ofMillis(batchTimeout)),
                new SessionOptions.Reconnect(Duration.ofMillis(reconnectDelay), Duration.ofMillis(maxReconnectDelay)),
                new SessionOptions.Snapshot(snapshot, snapshotParallelism),
                offsetRepository == null ? OffsetStore.NONE : new RepositoryOffsetStore(offsetRepository));
        return new EndpointOptions(session, format, retainedWalThreshold);
    }

    private static <E extends Enum<E>> E requireNonNull(String option, E value, E[] values) {
        if (value == null) {
            throw new IllegalArgumentException("Invalid option " + option + "=null: use one of "
                                               + String.join(", ", OptionParser.names(values)));
        }
        return value;
    }

    private String normalizePublish() {
        StringBuilder out = new StringBuilder();
        for (String op : (publish == null ? "" : publish).split(",")) {
            String o = op.trim().toLowerCase(Locale.ROOT);
            if (!OPERATIONS.contains(o)) {
                throw new IllegalArgumentException("Invalid option publish='" + publish + "': '" + op.trim()
                                                   + "' is not one of insert, update, delete, truncate");
            }
            out.append(out.length() == 0 ? "" : ", ").append(o);
        }
        return out.toString();
    }

    private static void requirePositive(String option, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("Invalid option " + option + "=" + value + ": it must be greater than 0");
        }
    }

    public String getSlotName() {
        return slotName;
    }

    /** The logical replication slot to stream from: lower-case letters, digits and _, at most 63. */
    public void setSlotName(String slotName) {
        this.slotName = slotName;
    }

    public String getUrl() {
        return url;
    }

    /**
     * The database: jdbc:postgresql://host:5432/db?sslmode=require, or the libpq form
     * postgresql://user:pass@host:5432/db?sslmode=require&connect_timeout=300 (also host=h dbname=db ...). List a
     * primary and its standbys (jdbc:postgresql://h1:5432,h2:5432/db) to follow a failover: with several hosts the
     * consumer connects to the primary among them. Prefer the user and password options over credentials inside the
     * URL.
     */
    public void setUrl(String url) {
        this.url = url;
    }

    public String getUser() {
        return user;
    }

    /** The database role; needs the REPLICATION attribute. Overrides a user in url. */
    public void setUser(String user) {
        this.user = user;
    }

    public String getPassword() {
        return password;
    }

    /** The role's password; never logged or shown. Overrides a password in url. */
    public void setPassword(String password) {
        this.password = password;
    }

    public String getPublication() {
        return publication;
    }

    /** The publication to stream; defaults to the slot name. SQL identifier rules: quote mixed case. */
    public void setPublication(String publication) {
        this.publication = publication;
    }

    public String getTables() {
        return tables;
    }

    /**
     * Comma list of schema.table, table (in public) or schema.* (the whole schema, later tables included on
     * PostgreSQL 15+). Creates or extends the publication and filters what is delivered. Omitted: the tables already
     * in the publication; if the publication must be created, public.*. A named table is followed by identity: renamed
     * or moved to another schema while streaming, its changes keep coming under the new name (with a WARN); a
     * schema.* entry matches by schema. For operation=backfill: the tables to read again.
     */
    public void setTables(String tables) {
        this.tables = tables;
    }

    public String getPublish() {
        return publish;
    }

    /** Operations published when the component creates the publication: any of insert,update,delete,truncate. */
    public void setPublish(String publish) {
        this.publish = publish;
    }

    public boolean isCreatePublication() {
        return createPublication;
    }

    /** Create a missing publication and add missing tables to an existing one; tables are never removed. */
    public void setCreatePublication(boolean createPublication) {
        this.createPublication = createPublication;
    }

    public boolean isCreateSlot() {
        return createSlot;
    }

    /** Create the replication slot when it is missing. */
    public void setCreateSlot(boolean createSlot) {
        this.createSlot = createSlot;
    }

    public boolean isReset() {
        return reset;
    }

    /** Drop and recreate the slot and the publication at start: everything not yet confirmed is skipped. */
    public void setReset(boolean reset) {
        this.reset = reset;
    }

    public int getBatchSize() {
        return batchSize;
    }

    /** The most changes in one exchange. A batch holds changes of one table. */
    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public long getBatchTimeout() {
        return batchTimeout;
    }

    /**
     * While routes are busy, a partial batch is sent when its oldest change is this old (500, 500ms, 1s). When the
     * consumer has read everything the server sent and no batch is in a route, partial batches go out at once.
     */
    public void setBatchTimeout(long batchTimeout) {
        this.batchTimeout = batchTimeout;
    }

    public String getMaxBatchBytes() {
        return maxBatchBytes;
    }

    /**
     * A batch also closes before its values would pass this size, measured as they came from the server (the wire
     * length of each value): a number of bytes, or a number with kB, MB or GB (powers of 1024, as in postgresql.conf),
     * e.g. 16MB. A single larger change travels alone. Batches queued for or inside routes hold at most this much
     * together, so memory depends on batchSize and maxBatchBytes, never on row or transaction size.
     */
    public void setMaxBatchBytes(String maxBatchBytes) {
        this.maxBatchBytes = maxBatchBytes;
    }

    public boolean isFlushSlot() {
        return flushSlot;
    }

    /** Confirm the slot when exchanges complete; false never moves the slot (the server keeps all WAL). */
    public void setFlushSlot(boolean flushSlot) {
        this.flushSlot = flushSlot;
    }

    public long getStatusInterval() {
        return statusInterval;
    }

    /** How often status updates (and confirmations) are sent to the server; keep it well under wal_sender_timeout. */
    public void setStatusInterval(long statusInterval) {
        this.statusInterval = statusInterval;
    }

    public long getReconnectDelay() {
        return reconnectDelay;
    }

    /** The first wait before reconnecting after a lost connection or a failed batch; doubles up to maxReconnectDelay. */
    public void setReconnectDelay(long reconnectDelay) {
        this.reconnectDelay = reconnectDelay;
    }

    public long getMaxReconnectDelay() {
        return maxReconnectDelay;
    }

    /** The longest wait between reconnect attempts. */
    public void setMaxReconnectDelay(long maxReconnectDelay) {
        this.maxReconnectDelay = maxReconnectDelay;
    }

    public Object getIncludeColumns() {
        return includeColumns;
    }

    /**
     * Per-table column allow-list: public.orders(id,status);items(id,qty), or a Map<String, List<String>> bean
     * (#bean:name). Tables not listed keep all their columns; the key columns always travel in the event key.
     */
    public void setIncludeColumns(Object includeColumns) {
        this.includeColumns = includeColumns;
    }

    public OutputFormat getOutputFormat() {
        return outputFormat;
    }

    /** The body: events (a list of change events) or rows (dlt-style maps with lsn and deleted_ts). */
    public void setOutputFormat(OutputFormat outputFormat) {
        this.outputFormat = outputFormat;
    }

    public Boolean getBinaryValues() {
        return binaryValues;
    }

    /**
     * Ask the server for values in binary form (PostgreSQL 14 and newer), used when every delivered column's type
     * decodes exactly from it (docs/types.md), otherwise values come as text. The Java values are the same either way.
     * false asks for text values on every server.
     */
    public void setBinaryValues(Boolean binaryValues) {
        this.binaryValues = binaryValues;
    }

    public boolean isMessages() {
        return messages;
    }

    /**
     * Deliver pg_logical_emit_message messages (PostgreSQL 14+) as message events. Messages with the prefix
     * pgreplication are the component's own (backfill requests) and never delivered.
     */
    public void setMessages(boolean messages) {
        this.messages = messages;
    }

    public SnapshotMode getSnapshotMode() {
        return snapshotMode;
    }

    /**
     * never: stream changes only; initial: when the consumer creates the slot, read every published table in the
     * slot's snapshot first, then stream (on an existing slot, tables added to option tables are read by an online
     * backfill, PostgreSQL 14+); initialOnly: the snapshot, then stop.
     */
    public void setSnapshotMode(SnapshotMode snapshotMode) {
        this.snapshotMode = snapshotMode;
    }

    public int getSnapshotParallelism() {
        return snapshotParallelism;
    }

    /** How many connections read a snapshot at once, sharing the slot's exported snapshot. */
    public void setSnapshotParallelism(int snapshotParallelism) {
        this.snapshotParallelism = snapshotParallelism;
    }

    public long getRetainedWalThreshold() {
        return retainedWalThreshold;
    }

    /**
     * The health check reports DOWN while the slot retains more WAL than this many bytes (pg_current_wal_lsn() minus
     * the slot's restart_lsn), e.g. 1073741824 for 1 GiB; 0: no limit.
     */
    public void setRetainedWalThreshold(long retainedWalThreshold) {
        this.retainedWalThreshold = retainedWalThreshold;
    }

    public boolean isFailover() {
        return failover;
    }

    /**
     * Slots the component creates get the failover property (PostgreSQL 17 and newer), so a standby with
     * sync_replication_slots = on keeps a copy that survives its promotion; also set on an existing slot that lacks
     * it. Ignored, with an INFO line, below PostgreSQL 17.
     */
    public void setFailover(boolean failover) {
        this.failover = failover;
    }

    public StateRepository<String, String> getOffsetRepository() {
        return offsetRepository;
    }

    /**
     * A StateRepository<String, String> bean (e.g. FileStateRepository) in which the consumer records the slot's
     * confirmed position per server. A slot it records but the server lacks (a failover without failover slots, a
     * manual drop) is never created again silently: the start fails, or while streaming the health check turns DOWN,
     * naming the changes that would be lost. Started by the component if it is not running.
     */
    public void setOffsetRepository(StateRepository<String, String> offsetRepository) {
        this.offsetRepository = offsetRepository;
    }

    public ManagementOperation getOperation() {
        return operation;
    }

    /**
     * The management operation of a producer: status, createSlot, dropSlot, createPublication, dropPublication,
     * advanceSlot, snapshot or backfill (the slot's consumer reads the tables of option tables again while it
     * streams; PostgreSQL 14+).
     */
    public void setOperation(ManagementOperation operation) {
        this.operation = operation;
    }
}
