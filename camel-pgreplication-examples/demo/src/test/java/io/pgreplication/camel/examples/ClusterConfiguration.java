package io.pgreplication.camel.examples;

import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicyFactory;

/**
 * The camel-main configuration class of docs/high-availability.md ("Properties and YAML"), as written there: it adds
 * the file-lock cluster service to the context and puts every route of the application under the clustered route
 * policy, reading its settings from properties.
 */
public class ClusterConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        var properties = context.getPropertiesComponent();
        FileLockClusterService cluster = new FileLockClusterService();
        cluster.setId(properties.resolveProperty("cluster.id").orElseThrow());
        cluster.setRoot(properties.resolveProperty("cluster.root").orElseThrow());
        cluster.setAcquireLockInterval(Long.parseLong(properties.resolveProperty("cluster.lockIntervalSeconds")
                .orElse("2")), TimeUnit.SECONDS);
        context.addService(cluster);
        context.addRoutePolicyFactory(new ClusteredRoutePolicyFactory(
                properties.resolveProperty("cluster.namespace").orElseThrow()));
    }
}
