package io.pgreplication.camel;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.event.OutputFormat;
import io.pgreplication.camel.server.ServerCapabilities;
import io.pgreplication.camel.session.SnapshotMode;
import io.pgreplication.camel.table.IncludeColumns;
import org.apache.camel.CamelContext;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Invalid option values fail at endpoint creation, naming the option and what is allowed. */
class PgReplicationEndpointOptionsTest {

    private static final String URL = "url=jdbc:postgresql://localhost:5432/shop";
    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    @Test
    void parsesOptionsWithDurationsAndDefaults() {
        PgReplicationEndpoint endpoint = context.getEndpoint("pgreplication:orders_slot?" + URL
                                                             + "&batchTimeout=2s&statusInterval=500ms&tables=orders,"
                                                             + "Sales.\"Order Items\",audit.*",
                PgReplicationEndpoint.class);
        PgReplicationConfiguration c = endpoint.getConfiguration();
        assertThat(c.getBatchTimeout()).isEqualTo(2000);
        assertThat(c.getStatusInterval()).isEqualTo(500);
        assertThat(c.getBatchSize()).isEqualTo(1000);
        assertThat(endpoint.options().publication()).isEqualTo("orders_slot");
        assertThat(endpoint.options().session().tables()).extracting(Object::toString)
                .containsExactly("public.orders", "sales.Order Items", "audit.*");
        assertThat(endpoint.getServiceUrl()).isEqualTo("localhost:5432/shop");
    }

    @Test
    void aZeroBatchSizeFailsNamingTheOption() {
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&batchSize=0"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasMessageContaining("batchSize=0").hasMessageContaining("greater than 0");
    }

    @Test
    void maxBatchBytesTakesBytesOrPostgresMemoryUnitsAndDefaultsTo64Mb() {
        assertThat(maxBatchBytes("")).isEqualTo(64L << 20);
        assertThat(maxBatchBytes("&maxBatchBytes=1048576")).isEqualTo(1_048_576L);
        assertThat(maxBatchBytes("&maxBatchBytes=512kB")).isEqualTo(512L << 10);
        assertThat(maxBatchBytes("&maxBatchBytes=16MB")).isEqualTo(16L << 20);
        assertThat(maxBatchBytes("&maxBatchBytes=RAW(2 GB)")).isEqualTo(2L << 30);
    }

    @Test
    void aMalformedMaxBatchBytesFailsNamingTheOptionAndTheForms() {
        for (String bad : List.of("64mb", "64 MiB", "1.5GB", "MB", "-1", "0", "0MB", "99999999999GB")) {
            assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&maxBatchBytes=RAW(" + bad
                                                         + ")"))
                    .as(bad).isInstanceOf(ResolveEndpointFailedException.class)
                    .hasMessageContaining("Invalid option maxBatchBytes=" + bad)
                    .hasMessageContaining("a number of bytes, or a number with kB, MB or GB (powers of 1024");
        }
    }

    @Test
    void aBadSlotNameFailsWithTheAllowedCharacters() {
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:Orders-Slot?" + URL))
                .hasMessageContaining("Invalid slot name 'Orders-Slot'")
                .hasMessageContaining("lower-case letters, digits and underscores");
    }

    @Test
    void malformedTablesFailWithThePositionAndTheExpectedForm() {
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&tables=public.orders;drop"))
                .hasMessageContaining("Invalid option tables='public.orders;drop'")
                .hasMessageContaining("at position 14")
                .hasMessageContaining("schema.table, table or schema.*");
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&tables=RAW(\"unterminated)"))
                .hasMessageContaining("unterminated quoted name");
    }

    @Test
    void anUnknownPublishOperationFails() {
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&publish=insert,upsert"))
                .hasMessageContaining("'upsert' is not one of insert, update, delete, truncate");
    }

    @Test
    void aMissingUrlSaysWhereToSetIt() {
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s"))
                .hasMessageContaining("Option url is required")
                .hasMessageContaining("camel.component.pgreplication.url");
    }

    @Test
    void componentLevelConnectionOptionsApplyToEveryEndpoint() {
        PgReplicationComponent component = new PgReplicationComponent();
        component.getConfiguration().setUrl("postgresql://app:s3cret@db.example:6543/shop?sslmode=require");
        context.addComponent("pgreplication", component);
        PgReplicationEndpoint endpoint = context.getEndpoint("pgreplication:s", PgReplicationEndpoint.class);
        assertThat(endpoint.getServiceUrl()).isEqualTo("db.example:6543/shop");
        assertThat(endpoint.options().connection().user()).isEqualTo("app");
        assertThat(endpoint.options().connection().toString()).doesNotContain("s3cret");
    }

    @Test
    void includeColumnsParsesTablesAndColumnsTheSqlWay() {
        PgReplicationEndpoint endpoint = context.getEndpoint("pgreplication:s?" + URL
                                                             + "&includeColumns=RAW(public.orders(id, Status);"
                                                             + "\"Order Items\"(\"Qty\",id))",
                PgReplicationEndpoint.class);
        IncludeColumns include = endpoint.options().session().includeColumns();
        assertThat(include.columnsOf(0, "public", "orders")).containsExactly("id", "status");
        assertThat(include.columnsOf(0, "public", "Order Items")).containsExactly("Qty", "id");
        assertThat(include.columnsOf(0, "public", "other")).isNull();
    }

    @Test
    void includeColumnsAcceptsAMapBean() {
        context.getRegistry().bind("cols", Map.of("sales.orders", List.of("id", "\"Total\""), "items", "id,qty"));
        PgReplicationEndpoint endpoint = context.getEndpoint("pgreplication:s?" + URL + "&includeColumns=#cols",
                PgReplicationEndpoint.class);
        IncludeColumns include = endpoint.options().session().includeColumns();
        assertThat(include.columnsOf(0, "sales", "orders")).containsExactly("id", "Total");
        assertThat(include.columnsOf(0, "public", "items")).containsExactly("id", "qty");
    }

    @Test
    void malformedIncludeColumnsFail() {
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&includeColumns=orders(id"))
                .hasMessageContaining("Invalid option includeColumns='orders(id'")
                .hasMessageContaining("schema.table(col1,col2)");
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&includeColumns=audit.*(id)"))
                .hasMessageContaining("schema.* is not allowed here");
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL
                                                     + "&includeColumns=orders(id);public.orders(x)"))
                .hasMessageContaining("public.orders is listed twice");
    }

    @Test
    void enumeratedOptionsNameTheAllowedValues() {
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&snapshotMode=always"))
                .hasMessageContaining("Invalid option snapshotMode=always: use one of never, initial, initialOnly");
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&outputFormat=csv"))
                .hasMessageContaining("Invalid option outputFormat=csv: use one of events, rows");
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&operation=vacuum"))
                .hasMessageContaining("Invalid option operation=vacuum: use one of status, createSlot");
        assertThatThrownBy(() -> context.getEndpoint("pgreplication:s?" + URL + "&snapshotParallelism=0"))
                .hasMessageContaining("snapshotParallelism=0");
    }

    @Test
    void newOptionsHaveTheirDefaults() {
        EndpointOptions o = context.getEndpoint("pgreplication:s?" + URL, PgReplicationEndpoint.class).options();
        assertThat(o.outputFormat()).isEqualTo(OutputFormat.EVENTS);
        assertThat(o.session().snapshot().mode()).isEqualTo(SnapshotMode.NEVER);
        assertThat(o.session().includeColumns().isAll()).isTrue();
        assertThat(o.session().stream().messages()).isFalse();
        assertThat(o.session().stream().binaryValuesOn(new ServerCapabilities(140000))).isTrue();
        assertThat(o.session().stream().binaryValuesOn(new ServerCapabilities(130000))).isFalse();
        EndpointOptions text = context.getEndpoint("pgreplication:t?" + URL + "&binaryValues=false"
                                                   + "&snapshotMode=initialOnly&outputFormat=rows",
                PgReplicationEndpoint.class).options();
        assertThat(text.session().stream().binaryValuesOn(new ServerCapabilities(170000))).isFalse();
        assertThat(text.session().snapshot().mode()).isEqualTo(SnapshotMode.INITIAL_ONLY);
        assertThat(text.outputFormat()).isEqualTo(OutputFormat.ROWS);
    }

    @Test
    void theCatalogListsExactlyTheValuesTheEnumeratedOptionsAccept() throws Exception {
        JsonNode properties;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/io/pgreplication/camel/pgreplication.json")) {
            properties = new ObjectMapper().readTree(in).get("properties");
        }
        assertThat(catalogValues(properties, "outputFormat")).isEqualTo(OptionParser.names(OutputFormat.values()));
        assertThat(catalogValues(properties, "snapshotMode")).isEqualTo(OptionParser.names(SnapshotMode.values()));
        assertThat(catalogValues(properties, "operation"))
                .isEqualTo(OptionParser.names(ManagementOperation.values()));
        for (ManagementOperation operation : ManagementOperation.values()) {
            PgReplicationEndpoint endpoint = context.getEndpoint("pgreplication:s?" + URL + "&operation=" + operation,
                    PgReplicationEndpoint.class);
            assertThat(endpoint.getConfiguration().getOperation()).isEqualTo(operation);
        }
    }

    private static List<String> catalogValues(JsonNode properties, String option) {
        List<String> values = new ArrayList<>();
        properties.get(option).get("enum").forEach(v -> values.add(v.asText()));
        return values;
    }

    private long maxBatchBytes(String option) {
        return context.getEndpoint("pgreplication:s?" + URL + option, PgReplicationEndpoint.class).options().session()
                .batching().maxBytes();
    }
}
