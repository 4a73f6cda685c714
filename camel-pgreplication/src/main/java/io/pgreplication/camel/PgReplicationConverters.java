package io.pgreplication.camel;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgreplication.camel.event.ChangeEvents;
import io.pgreplication.camel.event.ChangeRows;
import io.pgreplication.camel.event.OutputFormat;
import io.pgreplication.camel.session.SnapshotMode;
import org.apache.camel.Converter;

/**
 * Body conversions (a batch to its JSON array, docs/user-guide.md, events or rows) and the enumerated options from
 * their text, spelled as docs/options.md lists them.
 */
@Converter(generateLoader = true)
public final class PgReplicationConverters {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PgReplicationConverters() {
    }

    @Converter
    public static OutputFormat toOutputFormat(String text) {
        return OptionParser.choice("outputFormat", text, OutputFormat.values());
    }

    @Converter
    public static SnapshotMode toSnapshotMode(String text) {
        return OptionParser.choice("snapshotMode", text, SnapshotMode.values());
    }

    @Converter
    public static ManagementOperation toManagementOperation(String text) {
        return OptionParser.choice("operation", text, ManagementOperation.values());
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
