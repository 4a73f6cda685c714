package io.pgreplication.camel;

import java.util.Map;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.EndpointServiceLocation;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/**
 * Stream committed row changes out of PostgreSQL through logical replication (pgoutput), in batches, after an optional
 * consistent snapshot of the tables; manage slots and publications as a producer.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "pgreplication", title = "PostgreSQL Logical Replication",
             syntax = "pgreplication:slotName", category = { Category.DATABASE },
             headersClass = PgReplicationConstants.class)
public class PgReplicationEndpoint extends DefaultEndpoint implements EndpointServiceLocation {

    @UriParam
    private PgReplicationConfiguration configuration;
    private EndpointOptions options;

    public PgReplicationEndpoint(String uri, PgReplicationComponent component,
                                 PgReplicationConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    /** Validates the options once; the frozen result is what consumers use. */
    void freeze() {
        options = configuration.validate();
    }

    EndpointOptions options() {
        if (options == null) {
            freeze();
        }
        return options;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        PgReplicationConsumer consumer = new PgReplicationConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        return new PgReplicationProducer(this);
    }

    @Override
    public PgReplicationComponent getComponent() {
        return (PgReplicationComponent) super.getComponent();
    }

    public PgReplicationConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public String getServiceUrl() {
        return options().connection().toString();
    }

    @Override
    public String getServiceProtocol() {
        return "postgresql";
    }

    @Override
    public Map<String, String> getServiceMetadata() {
        return Map.of("slot", options().slot(), "publication", options().publication());
    }
}
