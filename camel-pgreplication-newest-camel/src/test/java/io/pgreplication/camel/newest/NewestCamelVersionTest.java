package io.pgreplication.camel.newest;

import io.pgreplication.camel.PgReplicationComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The component's suite in this module really runs on the newest Camel line, not on the 4.18 baseline. */
class NewestCamelVersionTest {

    @Test
    void theSuiteRunsOnTheNewestCamelLine() throws Exception {
        String expected = System.getProperty("camel.newest.version");
        assertThat(expected).as("system property camel.newest.version (set by the pom)").isNotBlank();
        try (CamelContext context = new DefaultCamelContext()) {
            assertThat(context.getVersion()).isEqualTo(expected);
            assertThat(context.getComponent("pgreplication")).isInstanceOf(PgReplicationComponent.class);
        }
    }
}
