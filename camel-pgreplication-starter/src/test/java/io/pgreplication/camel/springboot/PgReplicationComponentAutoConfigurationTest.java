package io.pgreplication.camel.springboot;

import io.pgreplication.camel.PgReplicationComponent;
import io.pgreplication.camel.PgReplicationConfiguration;
import io.pgreplication.camel.PgReplicationEndpoint;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code camel.component.pgreplication.*} reaches every pgreplication endpoint, in Spring's relaxed property names. */
class PgReplicationComponentAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(CamelAutoConfiguration.class, PgReplicationComponentAutoConfiguration.class));

    @Test
    void propertiesConfigureTheComponentAndSoEveryEndpoint() {
        runner.withPropertyValues("camel.component.pgreplication.url=jdbc:postgresql://db.example:5432/shop",
                "camel.component.pgreplication.user=cdc", "camel.component.pgreplication.batch-size=7",
                "camel.component.pgreplication.batch-timeout=2s", "camel.component.pgreplication.binary-values=false",
                "camel.component.pgreplication.status-interval=500ms").run(context -> {
                    PgReplicationConfiguration c = context.getBean(CamelContext.class)
                            .getEndpoint("pgreplication:orders_slot", PgReplicationEndpoint.class).getConfiguration();
                    assertThat(c.getUrl()).isEqualTo("jdbc:postgresql://db.example:5432/shop");
                    assertThat(c.getUser()).isEqualTo("cdc");
                    assertThat(c.getBatchSize()).isEqualTo(7);
                    assertThat(c.getBatchTimeout()).isEqualTo(2000);
                    assertThat(c.getStatusInterval()).isEqualTo(500);
                    assertThat(c.getBinaryValues()).isFalse();
                    assertThat(c.getSnapshotMode()).as("an option not set keeps its default")
                            .hasToString("never");
                });
    }

    @Test
    void theCustomizerCanBeSwitchedOff() {
        runner.withPropertyValues("camel.component.pgreplication.url=jdbc:postgresql://db.example:5432/shop",
                "camel.component.pgreplication.customizer.enabled=false").run(context -> {
                    var component = context.getBean(CamelContext.class).getComponent("pgreplication");
                    assertThat(((PgReplicationComponent) component).getConfiguration()
                            .getUrl()).isNull();
                });
    }
}
