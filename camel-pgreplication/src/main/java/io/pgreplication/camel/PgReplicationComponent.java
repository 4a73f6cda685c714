package io.pgreplication.camel;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.PropertyBindingException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.HealthCheckComponent;
import org.apache.camel.util.URISupport;

/** The {@code pgreplication:} component. Options set here (url, user, password...) apply to every endpoint. */
@Component("pgreplication")
public class PgReplicationComponent extends HealthCheckComponent {

    @Metadata(description = "Options shared by all endpoints of this component")
    private PgReplicationConfiguration configuration = new PgReplicationConfiguration();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        PgReplicationConfiguration config = configuration.copy();
        config.setSlotName(remaining);
        // The endpoint's own URI is what tools, JMX and error messages show: never with the password in it, whether
        // given as the password option or inside url (libpq user:password@ or jdbc ?password=).
        PgReplicationEndpoint endpoint = new PgReplicationEndpoint(URISupport.sanitizeUri(uri), this, config);
        try {
            setProperties(endpoint, parameters);
        } catch (PropertyBindingException e) {
            throw invalidOption(e);
        }
        // Bad options fail here, at endpoint creation, naming the option.
        endpoint.freeze();
        return endpoint;
    }

    /**
     * An enumerated option's converter (PgReplicationConverters) names the option and its values; that message, not
     * Camel's "Error binding property" around it, is what the user should read.
     */
    private static RuntimeException invalidOption(PropertyBindingException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IllegalArgumentException invalid && String.valueOf(c.getMessage())
                    .startsWith("Invalid option ")) {
                return invalid;
            }
        }
        return e;
    }

    public PgReplicationConfiguration getConfiguration() {
        return configuration;
    }

    /** Options shared by all endpoints of this component. */
    public void setConfiguration(PgReplicationConfiguration configuration) {
        this.configuration = configuration;
    }
}
