package io.scimledger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.JsonSupport;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.ScimSchemas;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Builds every SCIM response body ourselves, as bytes with {@code application/scim+json}, so no provider selection
 * can ever answer with another content type or a default error page.
 */
public final class ScimResponses {

    private ScimResponses() {
    }

    public static Response.ResponseBuilder json(int status, JsonNode body) {
        try {
            return Response.status(status).entity(JsonSupport.MAPPER.writeValueAsBytes(body))
                    .type(ScimMediaType.SCIM_JSON + ";charset=UTF-8");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    /** RFC 7644 section 3.12 error body. status is a string there, by the RFC's own example. */
    public static Response error(int status, String scimType, String detail) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putArray("schemas").add(ScimSchemas.ERROR_URN);
        body.put("status", Integer.toString(status));
        if (scimType != null) {
            body.put("scimType", scimType);
        }
        body.put("detail", detail == null ? "" : detail);
        Response.ResponseBuilder b = json(status, body);
        if (status == 401) {
            b.header("WWW-Authenticate", "Bearer realm=\"scim\"");
        }
        return b.build();
    }

    public static Response error(ScimException e) {
        return error(e.status(), e.scimType(), e.detail());
    }

    /** Parses a request body; malformed JSON is 400 invalidSyntax, never a 500. */
    public static JsonNode parseBody(String body) {
        if (body == null || body.isBlank()) {
            throw ScimException.invalidSyntax("the request body is empty");
        }
        try {
            JsonNode node = JsonSupport.MAPPER.readTree(body.getBytes(StandardCharsets.UTF_8));
            if (node == null || !node.isObject()) {
                throw ScimException.invalidSyntax("the request body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw ScimException.invalidSyntax("the request body is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
