package io.pgreplication.camel;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.event.ChangeEvents;
import io.pgreplication.camel.event.ChangeRows;
import org.apache.camel.Converter;

/** Body conversions: a batch to its JSON array (docs/user-guide.md), events or rows. */
@Converter(generateLoader = true)
public final class PgReplicationConverters {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PgReplicationConverters() {
    }

    @Converter
    public static String toJson(ChangeEvents events) throws JsonProcessingException {
        return JSON.writeValueAsString(events);
    }

    @Converter
    public static byte[] toJsonBytes(ChangeEvents events) throws JsonProcessingException {
        return JSON.writeValueAsString(events).getBytes(StandardCharsets.UTF_8);
    }

    @Converter
    public static String rowsToJson(ChangeRows rows) throws JsonProcessingException {
        return JSON.writeValueAsString(rows);
    }

    @Converter
    public static byte[] rowsToJsonBytes(ChangeRows rows) throws JsonProcessingException {
        return JSON.writeValueAsBytes(rows);
    }
}
