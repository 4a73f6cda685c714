package io.pgreplication.camel;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The component catalog (and docs/options.md, generated from it) tells the truth: every default it states is the value
 * an endpoint created without that option has.
 */
class CatalogDefaultsTest {

    private static final String CATALOG = "/META-INF/io/pgreplication/camel/pgreplication.json";

    @Test
    void everyDefaultInTheCatalogIsTheValueOfAnEndpointWithoutTheOption() throws Exception {
        JsonNode catalog;
        try (InputStream in = CatalogDefaultsTest.class.getResourceAsStream(CATALOG)) {
            catalog = new ObjectMapper().readTree(in);
        }
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            PgReplicationEndpoint endpoint = context.getEndpoint(
                    "pgreplication:catalog_slot?url=jdbc:postgresql://localhost:5432/shop", PgReplicationEndpoint.class);
            PgReplicationEndpointConfigurer configurer = new PgReplicationEndpointConfigurer();
            List<String> checked = new ArrayList<>();
            for (Map.Entry<String, JsonNode> option : catalog.get("properties").properties()) {
                JsonNode stated = option.getValue().get("defaultValue");
                if (stated == null || "path".equals(option.getValue().get("kind").asText())) {
                    continue;
                }
                Object actual = configurer.getOptionValue(endpoint, option.getKey(), false);
                assertThat(String.valueOf(actual)).as("catalog default of %s", option.getKey())
                        .isEqualTo(stated.asText());
                checked.add(option.getKey());
            }
            assertThat(checked).contains("binaryValues", "batchSize", "outputFormat", "flushSlot");
        }
    }

    @Test
    void binaryValuesDefaultsToTrueWithANoteOnOlderServers() throws Exception {
        JsonNode option;
        try (InputStream in = CatalogDefaultsTest.class.getResourceAsStream(CATALOG)) {
            option = new ObjectMapper().readTree(in).get("properties").get("binaryValues");
        }
        assertThat(option.get("defaultValue").asBoolean()).isTrue();
        assertThat(option.get("description").asText()).contains("text on older servers");
    }
}
