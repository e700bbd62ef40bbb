package io.scimledger.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses oversized requests with a SCIM 413 error (RFC 7644 section 3.12) before the body is read. The HTTP
 * layer's own hard cap (quarkus.http.limits.max-body-size) stays above this limit, so clients that declare their
 * length always get a SCIM answer; /Bulk applies its own, smaller maxPayloadSize.
 */
public class RequestSizeLimit {

    @ConfigProperty(name = "scim.max-request-bytes")
    long maxRequestBytes;

    @ServerRequestFilter(preMatching = true)
    public Response check(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        if (length == null) {
            return null;
        }
        try {
            if (Long.parseLong(length.trim()) > maxRequestBytes) {
                return ScimResponses.error(413, null, "request body larger than " + maxRequestBytes + " bytes");
            }
        } catch (NumberFormatException e) {
            return ScimResponses.error(400, "invalidSyntax", "malformed Content-Length");
        }
        return null;
    }
}
