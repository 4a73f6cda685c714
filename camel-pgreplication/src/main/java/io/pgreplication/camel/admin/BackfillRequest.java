package io.pgreplication.camel.admin;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.table.TableSpec;

/**
 * A request to backfill tables, addressed to the consumer of one slot (docs/user-guide.md, "Online backfill"). It
 * travels through the WAL itself: a transactional logical decoding message with the prefix {@value #PREFIX} whose
 * content is {@code {"backfill":"<id>","slot":"<slot>","tables":[{"schema":"public","table":"b"}]}}. Any role that
 * can log in may write such a message, so {@link #parse(byte[])} checks every field and the consumer checks the
 * slot and the tables against its own options before acting on it.
 *
 * @param id     the request id: a random UUID, delivered with every snapshot batch of the backfill
 * @param slot   the slot whose consumer is to act on it
 * @param tables the tables to read, never {@code schema.*}
 */
public record BackfillRequest(String id, String slot, List<TableSpec> tables) {

    /** The prefix of the component's own logical decoding messages; never delivered as a message event. */
    public static final String PREFIX = "pgreplication";
    /** More tables than this in one request are refused: the request is meant for a few tables. */
    static final int MAX_TABLES = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    public BackfillRequest {
        tables = List.copyOf(tables);
    }

    /** A request with a new random id. */
    public static BackfillRequest of(String slot, List<TableSpec> tables) {
        return new BackfillRequest(UUID.randomUUID().toString(), slot, tables);
    }

    /** The message content. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("backfill", id);
        root.put("slot", slot);
        ArrayNode array = root.putArray("tables");
        for (TableSpec t : tables) {
            array.addObject().put("schema", t.schema()).put("table", t.table());
        }
        return root.toString();
    }

    /**
     * Reads a message's content; throws {@link IllegalArgumentException} naming what is wrong when it is not a
     * well-formed request.
     */
    public static BackfillRequest parse(byte[] content) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(content, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String id = text(root, "backfill");
        String slot = text(root, "slot");
        JsonNode array = root.get("tables");
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException("\"tables\" must be a non-empty array");
        }
        if (array.size() > MAX_TABLES) {
            throw new IllegalArgumentException("\"tables\" names " + array.size() + " tables, more than "
                                               + MAX_TABLES);
        }
        List<TableSpec> tables = new ArrayList<>(array.size());
        for (JsonNode t : array) {
            if (!t.isObject()) {
                throw new IllegalArgumentException("every entry of \"tables\" must be an object"
                                                   + " {\"schema\":...,\"table\":...}");
            }
            tables.add(new TableSpec(text(t, "schema"), text(t, "table")));
        }
        return new BackfillRequest(id, slot, tables);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty() || value.asText().length() > 200) {
            throw new IllegalArgumentException("\"" + field + "\" must be a non-empty string of at most 200"
                                               + " characters");
        }
        return value.asText();
    }

    /**
     * Writes the request into the WAL as a transactional message, in the connection's current transaction (so it is
     * only ever read if that transaction commits); returns the message's LSN.
     */
    public Lsn emit(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT pg_logical_emit_message(true, ?, ?::text)::text")) {
            ps.setString(1, PREFIX);
            ps.setString(2, toJson());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Lsn.parse(rs.getString(1));
            }
        }
    }
}
