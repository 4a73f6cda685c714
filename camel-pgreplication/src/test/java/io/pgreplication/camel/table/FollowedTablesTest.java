package io.pgreplication.camel.table;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FollowedTablesTest {

    private static final TableSpec ORDERS = new TableSpec("public", "orders");
    private static final TableSpec AUDIT = new TableSpec("audit", null);

    @Test
    void aNamedTableIsFollowedByItsOidWhateverItIsCalledNow() {
        FollowedTables tables = FollowedTables.of(List.of(ORDERS), Map.of(ORDERS, 42));

        assertThat(tables.accepts(42, "public", "orders")).isTrue();
        assertThat(tables.accepts(42, "public", "orders_renamed")).isTrue();
        assertThat(tables.accepts(42, "archive", "orders")).isTrue();
        assertThat(tables.accepts(43, "public", "orders")).as("another table now called orders").isFalse();
        assertThat(tables.named()).isEqualTo(Map.of(42, ORDERS));
    }

    @Test
    void aWholeSchemaEntryMatchesBySchema() {
        FollowedTables tables = FollowedTables.of(List.of(AUDIT), Map.of());

        assertThat(tables.accepts(7, "audit", "log")).isTrue();
        assertThat(tables.accepts(7, "public", "log")).as("moved out of the schema").isFalse();
        assertThat(tables.named()).isEmpty();
    }

    @Test
    void noEntriesAcceptEveryTable() {
        assertThat(FollowedTables.of(List.of(), Map.of())).isSameAs(FollowedTables.ALL);
        assertThat(FollowedTables.ALL.accepts(1, "any", "table")).isTrue();
    }

    @Test
    void everyNamedTableNeedsItsOid() {
        assertThatThrownBy(() -> FollowedTables.of(List.of(ORDERS, AUDIT), Map.of()))
                .hasMessageContaining("public.orders");
    }

    @Test
    void resolvedIncludeColumnsFollowTheTableByOid() {
        IncludeColumns include = IncludeColumns.of(Map.of(ORDERS, List.of("id", "status"))).resolve(Map.of(ORDERS, 42));

        assertThat(include.columnsOf(42, "public", "orders_renamed")).containsExactly("id", "status");
        assertThat(include.columnsOf(43, "public", "orders")).isNull();
    }
}
