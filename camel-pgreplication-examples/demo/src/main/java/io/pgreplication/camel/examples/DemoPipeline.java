package io.pgreplication.camel.examples;

import java.util.Properties;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;

/**
 * The demo's route, PostgreSQL to {@link DuckDbSink}, in one of two forms: a Java RouteBuilder in a plain
 * CamelContext, or the YAML DSL route {@code routes/pg-to-duckdb.camel.yaml} run by camel-main with its options from
 * {@code application.properties}.
 */
abstract class DemoPipeline implements AutoCloseable {

    abstract void start() throws Exception;

    abstract DuckDbSink sink();

    static DemoPipeline java(EmbeddedServer server, Demo.Settings settings) {
        return new JavaRoute(server, settings);
    }

    static DemoPipeline yaml(EmbeddedServer server, Demo.Settings settings) {
        return new YamlRoute(yamlProperties(server, settings));
    }

    /** What the YAML route's placeholders need: the connection, and the demo's choices. */
    static Properties yamlProperties(EmbeddedServer server, Demo.Settings settings) {
        Properties p = new Properties();
        p.setProperty("pg.url", server.jdbcUrl());
        p.setProperty("pg.user", server.user());
        p.setProperty("pg.password", server.password() == null ? "" : server.password());
        p.setProperty("demo.snapshotMode", settings.snapshot() ? "initial" : "never");
        p.setProperty("duckdb.path", settings.duckdb().toString());
        return p;
    }

    private static final class JavaRoute extends DemoPipeline {
        private final DefaultCamelContext camel = new DefaultCamelContext();
        private final DuckDbSink sink;
        private final String uri;

        JavaRoute(EmbeddedServer server, Demo.Settings settings) {
            this.sink = new DuckDbSink(settings.duckdb().toString());
            this.uri = "pgreplication:" + Demo.SLOT + "?publication=" + Demo.PUBLICATION + "&tables="
                       + String.join(",", DemoData.TABLES) + "&reset=true&snapshotMode="
                       + (settings.snapshot() ? "initial" : "never") + "&batchSize=10000&statusInterval=1s&"
                       + server.endpointOptions();
        }

        @Override
        void start() throws Exception {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(uri).routeId("pg-to-duckdb").process(sink);
                }
            });
            camel.start();
        }

        @Override
        DuckDbSink sink() {
            return sink;
        }

        @Override
        public void close() throws Exception {
            camel.close();
            sink.close();
        }
    }

    private static final class YamlRoute extends DemoPipeline {
        private final Main main = new Main();
        private DuckDbSink sink;

        YamlRoute(Properties overrides) {
            // Override properties win over application.properties (where the same keys read the environment).
            main.setOverrideProperties(overrides);
        }

        @Override
        void start() throws Exception {
            main.start();
            sink = main.getCamelContext().getRegistry().lookupByNameAndType("duckdb", DuckDbSink.class);
        }

        @Override
        DuckDbSink sink() {
            return sink;
        }

        @Override
        public void close() throws Exception {
            main.stop();
            if (sink != null) {
                sink.close();
            }
        }
    }
}
