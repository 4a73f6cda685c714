package io.pgreplication.camel.springboot;

import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's properties are the component's options: the same names as the component catalog's component options,
 * and the same defaults. An option added to the component without its property here fails this test.
 */
class PgReplicationComponentConfigurationTest {

    /** Spring-side switches of Camel's starters, not component options. */
    private static final Set<String> STARTER_ONLY = Set.of("enabled", "customizer");

    @Test
    void everyComponentOptionIsAPropertyWithTheCatalogsDefault() throws Exception {
        JsonNode options;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/io/pgreplication/camel/pgreplication.json")) {
            options = new ObjectMapper().readTree(in).get("componentProperties");
        }
        Map<String, PropertyDescriptor> properties = new TreeMap<>();
        for (PropertyDescriptor p : Introspector.getBeanInfo(PgReplicationComponentConfiguration.class, Object.class)
                .getPropertyDescriptors()) {
            if (!STARTER_ONLY.contains(p.getName())) {
                properties.put(p.getName(), p);
            }
        }
        Set<String> catalogNames = new TreeSet<>();
        options.fieldNames().forEachRemaining(catalogNames::add);
        assertThat(properties.keySet()).isEqualTo(catalogNames);

        PgReplicationComponentConfiguration defaults = new PgReplicationComponentConfiguration();
        for (String name : catalogNames) {
            JsonNode stated = options.get(name).get("defaultValue");
            Object value = properties.get(name).getReadMethod().invoke(defaults);
            if (stated == null) {
                assertThat(value).as("%s has no default", name).isNull();
            } else {
                Object comparable = value instanceof Duration d ? d.toMillis() : value;
                assertThat(String.valueOf(comparable)).as("default of %s", name).isEqualTo(stated.asText());
            }
        }
    }
}
