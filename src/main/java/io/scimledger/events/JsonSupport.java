package io.scimledger.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Converts between Jackson trees (our model) and what the Vert.x PostgreSQL client returns for jsonb. */
public final class JsonSupport {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonSupport() {}

    public static ObjectNode toObjectNode(Object jsonb) {
        JsonNode n = toJsonNode(jsonb);
        if (!n.isObject()) {
            throw new IllegalStateException("expected a JSON object, got " + n.getNodeType());
        }
        return (ObjectNode) n;
    }

    public static JsonNode toJsonNode(Object jsonb) {
        try {
            if (jsonb instanceof JsonObject o) {
                return MAPPER.readTree(o.encode());
            }
            if (jsonb instanceof JsonArray a) {
                return MAPPER.readTree(a.encode());
            }
            if (jsonb instanceof String s) {
                return MAPPER.readTree(s);
            }
            return MAPPER.valueToTree(jsonb);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable jsonb value", e);
        }
    }
}
