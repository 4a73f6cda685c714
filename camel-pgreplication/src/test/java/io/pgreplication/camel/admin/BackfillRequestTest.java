package io.pgreplication.camel.admin;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.table.TableSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackfillRequestTest {

    @Test
    void aRequestReadsBackAsWrittenWhateverTheNamesHoldAndItsIdIsNew() {
        BackfillRequest written = BackfillRequest.of("orders_slot", List.of(new TableSpec("public", "orders"),
                new TableSpec("Sales", "Order \"Items\".v2")));

        BackfillRequest read = BackfillRequest.parse(written.toJson().getBytes(StandardCharsets.UTF_8));

        assertThat(read).isEqualTo(written);
        assertThat(written.toJson()).startsWith("{\"backfill\":\"" + written.id() + "\",\"slot\":\"orders_slot\"");
        assertThat(BackfillRequest.of("orders_slot", List.of(new TableSpec("public", "orders"))).id())
                .isNotEqualTo(written.id());
    }

    @Test
    void malformedContentIsRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> parse("{\"backfill\":")).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> parse("[1]")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> parse("{\"slot\":\"s\",\"tables\":[{\"schema\":\"a\",\"table\":\"b\"}]}"))
                .hasMessage("\"backfill\" must be a non-empty string of at most 200 characters");
        assertThatThrownBy(() -> parse("{\"backfill\":\"x\",\"slot\":\"s\",\"tables\":[]}"))
                .hasMessage("\"tables\" must be a non-empty array");
        assertThatThrownBy(() -> parse("{\"backfill\":\"x\",\"slot\":\"s\",\"tables\":[\"public.b\"]}"))
                .hasMessageContaining("every entry of \"tables\" must be an object");
        assertThatThrownBy(() -> parse("{\"backfill\":\"x\",\"slot\":\"s\",\"tables\":[{\"schema\":\"a\"}]}"))
                .hasMessage("\"table\" must be a non-empty string of at most 200 characters");
        assertThatThrownBy(() -> parse("{\"backfill\":\"x\",\"slot\":7,\"tables\":[{\"schema\":\"a\",\"table\":\"b\"}]}"))
                .hasMessageStartingWith("\"slot\" must be");
    }

    @Test
    void theStreamKnowsTheRequestsByTheSamePrefix() {
        assertThat(BackfillRequest.PREFIX).isEqualTo(EventAssembler.COMPONENT_PREFIX);
    }

    private static BackfillRequest parse(String json) {
        return BackfillRequest.parse(json.getBytes(StandardCharsets.UTF_8));
    }
}
