package io.pgreplication.camel.examples;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The quick-start demo on a small dataset: DuckDB must equal PostgreSQL afterwards. */
class DemoIT extends WithEmbeddedServer {

    @Test
    void streamedRowsAndLiveChangesEndUpEqualInDuckDb() throws Exception {
        Path duckdb = Path.of("target/it/demo-streamed.duckdb").toAbsolutePath();
        Demo.Result result = Demo.run(server, new Demo.Settings(200, 4, 100, duckdb, false, false), System.out);

        assertDuckDbEqualsPostgres(result, duckdb);
    }

    @Test
    void snapshotAndLiveChangesEndUpEqualInDuckDb() throws Exception {
        Path duckdb = Path.of("target/it/demo-snapshot.duckdb").toAbsolutePath();
        Demo.Result result = Demo.run(server, new Demo.Settings(300, 4, 100, duckdb, true, false), System.out);

        // The 300 customers, 600 orders and 1,200 lines loaded before the slot existed can only come from the snapshot.
        assertDuckDbEqualsPostgres(result, duckdb);
    }

    private static void assertDuckDbEqualsPostgres(Demo.Result result, Path duckdb) throws SQLException {
        assertThat(result.tables()).extracting(TableComparison::table).containsExactlyElementsOf(DemoData.TABLES);
        assertThat(result.tables()).allSatisfy(t -> {
            assertThat(t.firstMismatch()).as(t.table()).isNull();
            assertThat(t.duckdbRows()).as(t.table()).isEqualTo(t.postgresRows()).isPositive();
        });
        assertThat(result.equal()).isTrue();
        assertThat(result.writerTransactions()).isPositive();
        assertThat(result.changesApplied()).isGreaterThan(result.writerTransactions());

        // An independent look at both databases: the same orders with the same status and total, the column the
        // writer added halfway, and no customer left behind under a key that changed.
        try (Connection pg = server.connect(); Connection duck = DriverManager.getConnection("jdbc:duckdb:" + duckdb)) {
            String orders = "SELECT id, status, total::varchar, ship_by::varchar FROM demo.orders ORDER BY id";
            assertThat(rows(duck, orders)).isEqualTo(rows(pg, orders));
            String lines = "SELECT order_id, line, qty FROM demo.order_lines ORDER BY order_id, line";
            assertThat(rows(duck, lines)).isEqualTo(rows(pg, lines));
            String customers = "SELECT id, loyalty_tier FROM demo.customers ORDER BY id";
            assertThat(rows(duck, customers)).isEqualTo(rows(pg, customers));
            assertThat(rows(pg, "SELECT count(*) FROM demo.customers WHERE loyalty_tier IS NOT NULL").get(0))
                    .as("the writer set the added column on some rows").isNotEqualTo("0");
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
