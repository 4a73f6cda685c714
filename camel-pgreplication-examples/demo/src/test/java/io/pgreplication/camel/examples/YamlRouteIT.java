package io.pgreplication.camel.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import io.pgreplication.camel.PgReplicationComponent;
import io.pgreplication.camel.PgReplicationConfiguration;
import org.apache.camel.Route;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The YAML DSL route (routes/pg-to-duckdb.camel.yaml) loaded by camel-main with application.properties: component
 * options come from properties, the password through a placeholder, and changes flow into DuckDB.
 */
class YamlRouteIT extends WithEmbeddedServer {

    @Test
    void yamlRouteStreamsChangesIntoDuckDbWithOptionsFromProperties() throws Exception {
        Path duckdb = Path.of("target/it/yaml-route.duckdb").toAbsolutePath();
        Files.createDirectories(duckdb.getParent());
        Files.deleteIfExists(duckdb);
        try (Connection c = server.connect()) {
            DemoData.create(c);
        }
        Properties overrides = DemoPipeline.yamlProperties(server,
                new Demo.Settings(0, 0, 0, duckdb, false, true));
        // Any password: the embedded server trusts local connections; what matters is where the value comes from.
        overrides.setProperty("pg.password", "from-a-placeholder");
        Main main = new Main();
        main.setOverrideProperties(overrides);
        main.start();
        try {
            List<Route> routes = main.getCamelContext().getRoutes();
            assertThat(routes).extracting(Route::getRouteId).containsExactly("pg-to-duckdb");
            assertThat(routes.get(0).getEndpoint().getEndpointUri()).startsWith("pgreplication://demo_slot")
                    .doesNotContain("from-a-placeholder");
            PgReplicationConfiguration component = main.getCamelContext()
                    .getComponent("pgreplication", PgReplicationComponent.class).getConfiguration();
            assertThat(component.getUrl()).isEqualTo(server.jdbcUrl());
            assertThat(component.getUser()).isEqualTo(server.user());
            assertThat(component.getPassword()).isEqualTo("from-a-placeholder");

            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                DemoData.load(c, 50);
                st.execute("UPDATE demo.orders SET status = 'paid', total = 10.50 WHERE id <= 10");
                st.execute("UPDATE demo.customers SET id = 1000 WHERE id = 1");
                st.execute("DELETE FROM demo.order_lines WHERE order_id = 2");
            }
            DuckDbSink sink = main.getCamelContext().getRegistry().lookupByNameAndType("duckdb", DuckDbSink.class);
            // 50 customers + 100 orders + 200 lines inserted, 10 + 1 updated, 2 deleted
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.applied() >= 363);
        } finally {
            main.stop();
        }

        try (Connection pg = server.connect(); Connection duck = DriverManager.getConnection("jdbc:duckdb:" + duckdb)) {
            List<TableComparison> tables = TableComparison.compare(pg, duck, DemoData.TABLES);
            assertThat(tables).allSatisfy(t -> assertThat(t.equal()).as(t.toString()).isTrue());
            assertThat(count(duck, "SELECT count(*) FROM demo.orders WHERE status = 'paid'")).isEqualTo(10);
            assertThat(count(duck, "SELECT count(*) FROM demo.customers WHERE id = 1")).isZero();
            assertThat(count(duck, "SELECT count(*) FROM demo.customers WHERE id = 1000")).isOne();
            assertThat(count(duck, "SELECT count(*) FROM demo.order_lines")).isEqualTo(198);
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
