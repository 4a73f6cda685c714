package io.pgreplication.camel.examples.kafka;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** One record per change, its key made of the table and the event's key object exactly as the event JSON has it. */
class ChangeRecordsTest {

    @Test
    void eachChangeBecomesOneRecordKeyedByTableAndKey() throws Exception {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("region", "eu \"west\"");
        key.put("amount", new BigDecimal("12345678901234567890.10"));
        Map<String, Object> after = new LinkedHashMap<>(key);
        after.put("note", "x");
        ChangeEvent first = ChangeEvent.snapshot("Sales", "Order Items", 0x16B3748L, key, after);
        ChangeEvent second = ChangeEvent.snapshot("public", "orders", 0x16B3748L, Map.of("id", 7), Map.of("id", 7));
        try (CamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.getMessage().setBody(List.of(first, second));

            new ChangeRecords().process(exchange);

            List<?> records = exchange.getMessage().getBody(List.class);
            assertThat(records).hasSize(2);
            Message record = (Message) records.get(0);
            assertThat(record.getHeader(KafkaConstants.KEY)).isEqualTo(
                    "{\"table\":\"Sales.Order Items\",\"key\":{\"region\":\"eu \\\"west\\\"\","
                    + "\"amount\":12345678901234567890.10}}");
            assertThat(record.getBody(String.class)).startsWith("{\"op\":\"snapshot\",\"schema\":\"Sales\"")
                    .contains("\"after\":{\"region\":\"eu \\\"west\\\"\",\"amount\":12345678901234567890.10,"
                              + "\"note\":\"x\"}");
            assertThat(record.getHeader(ChangeRecords.LSN)).isEqualTo("0/16B3748");
            assertThat(record.getHeader(ChangeRecords.COMMIT_LSN)).isEqualTo("0/16B3748");
            assertThat(record.getHeader(ChangeRecords.TABLE)).isEqualTo("Sales.Order Items");
            assertThat(record.getHeader(ChangeRecords.OP)).isEqualTo("snapshot");
            assertThat(((Message) records.get(1)).getHeader(KafkaConstants.KEY))
                    .isEqualTo("{\"table\":\"public.orders\",\"key\":{\"id\":7}}");
        }
    }
}
