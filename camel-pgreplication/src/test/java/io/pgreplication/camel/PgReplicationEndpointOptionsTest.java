package io.pgreplication.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SPEC §8: invalid option values fail at endpoint creation, naming the option and what is allowed. */
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
        assertThat(endpoint.options().tables()).extracting(Object::toString)
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
}
