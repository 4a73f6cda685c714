package io.pgreplication.camel.examples.kafka;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.event.ChangeEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

/**
 * Turns a batch of change events into one Kafka record per change; camel-kafka sends a body that is a list of messages
 * as one record each, and completes the exchange only when Kafka acknowledged all of them (or fails it when one could
 * not be written), so the slot is confirmed only past changes Kafka has.
 * <ul>
 * <li>key: {@code {"table":"public.orders","key":{"id":42}}}: the table and the row's key, so all changes of a row go
 * to one partition, in commit order;</li>
 * <li>value: the change event's JSON (docs/user-guide.md, "The exchange");</li>
 * <li>headers {@value #LSN}, {@value #COMMIT_LSN}, {@value #TABLE} and {@value #OP}.</li>
 * </ul>
 */
public final class ChangeRecords implements Processor {

    /** Kafka header: the change's WAL position, {@code X/XXXXXXXX}. */
    public static final String LSN = "pgreplication.lsn";
    /** Kafka header: the commit LSN of the change's transaction (the same for every change of it). */
    public static final String COMMIT_LSN = "pgreplication.commitLsn";
    /** Kafka header: {@code schema.table}. */
    public static final String TABLE = "pgreplication.table";
    /** Kafka header: insert, update, delete, truncate, snapshot or message. */
    public static final String OP = "pgreplication.op";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void process(Exchange exchange) throws Exception {
        List<?> changes = exchange.getMessage().getBody(List.class);
        List<Message> records = new ArrayList<>(changes.size());
        for (Object o : changes) {
            if (!(o instanceof ChangeEvent change)) {
                throw new IllegalArgumentException("ChangeRecords needs change events: use outputFormat=events (the"
                                                   + " default) on the pgreplication endpoint, not " + o.getClass());
            }
            String value = JSON.writeValueAsString(change);
            String table = change.getTable() == null ? null : change.getSchema() + "." + change.getTable();
            Message record = new DefaultMessage(exchange);
            record.setHeader(KafkaConstants.KEY, "{\"table\":" + JSON.writeValueAsString(table) + ",\"key\":"
                                                 + keyOf(value) + "}");
            record.setHeader(LSN, change.getLsn());
            record.setHeader(COMMIT_LSN, change.getCommitLsn());
            record.setHeader(TABLE, table);
            record.setHeader(OP, change.getOp());
            record.setBody(value);
            records.add(record);
        }
        exchange.getMessage().setBody(records);
    }

    /** The {@code key} object of an event's JSON, exactly as written there (numbers keep every digit). */
    static String keyOf(String eventJson) throws IOException {
        try (JsonParser parser = JSON.createParser(eventJson)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                if ("key".equals(field)) {
                    if (token != JsonToken.START_OBJECT) {
                        return "null";
                    }
                    int start = (int) parser.currentTokenLocation().getCharOffset();
                    parser.skipChildren();
                    return eventJson.substring(start, (int) parser.currentLocation().getCharOffset());
                }
                parser.skipChildren();
            }
        }
        return "null";
    }
}
