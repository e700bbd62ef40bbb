package io.scimledger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.JsonSupport;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.TextGuard;
import io.scimledger.scim.schema.ScimSchemas;
import jakarta.ws.rs.core.Response;

/**
 * Builds every SCIM response body ourselves, as bytes with {@code application/scim+json}, so no provider selection
 * can ever answer with another content type or a default error page.
 */
public final class ScimResponses {

    private ScimResponses() {}

    public static Response.ResponseBuilder json(int status, JsonNode body) {
        try {
            return Response.status(status)
                    .entity(JsonSupport.MAPPER.writeValueAsBytes(body))
                    .type(ScimMediaType.SCIM_JSON + ";charset=UTF-8");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    /** Seconds a client is told to wait (Retry-After) on a 503 that names no other delay. */
    public static final long UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

    /**
     * RFC 7644 section 3.12 error body. status is a string there, by the RFC's own example. A 503 carries
     * Retry-After (RFC 9110 section 10.2.3): Entra ID and Okta both honour it.
     */
    public static Response error(int status, String scimType, String detail) {
        return error(status, scimType, detail, status == 503 ? UNAVAILABLE_RETRY_AFTER_SECONDS : 0);
    }

    /** An error with {@code Retry-After: retryAfterSeconds} (none when 0): 503 and 429. */
    public static Response error(int status, String scimType, String detail, long retryAfterSeconds) {
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
        if (retryAfterSeconds > 0) {
            b.header("Retry-After", Long.toString(retryAfterSeconds));
        }
        return b.build();
    }

    public static Response error(ScimException e) {
        return error(e.status(), e.scimType(), e.detail());
    }

    /**
     * Parses a request body; malformed JSON, or a body that names one member twice (in any case), is 400
     * invalidSyntax, never a 500 (see {@link JsonMembers}); a NUL character anywhere in it is 400 invalidValue
     * (see {@link TextGuard}).
     */
    public static JsonNode parseBody(String body) {
        if (body == null || body.isBlank()) {
            throw ScimException.invalidSyntax("the request body is empty");
        }
        JsonNode node = JsonMembers.parseRequest(body);
        if (node == null || !node.isObject()) {
            throw ScimException.invalidSyntax("the request body must be a JSON object");
        }
        TextGuard.rejectNul(node);
        return node;
    }
}
