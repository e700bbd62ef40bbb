package io.scimledger.security;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Gives every request an id (the client's X-Request-Id if sane, else a new UUID), records it in events and echoes
 * it on the response, so an identity provider's log line can be found in our audit trail.
 */
public class RequestIds {

    private static final int MAX_LENGTH = 128;

    /** Internal header carrying our receipt time; always overwritten, so a client cannot supply it. */
    static final String RECEIVED_AT_HEADER = "X-Scim-Ledger-Received-At";

    @ServerRequestFilter(preMatching = true)
    public void assign(HttpServerRequest request) {
        request.headers()
                .set(
                        RECEIVED_AT_HEADER,
                        Instant.now().truncatedTo(ChronoUnit.MICROS).toString());
        ensure(request);
    }

    static Instant receivedAt(HttpServerRequest request) {
        String v = request == null ? null : request.getHeader(RECEIVED_AT_HEADER);
        try {
            return v == null ? null : Instant.parse(v);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @ServerResponseFilter
    public void echo(ContainerResponseContext response, HttpServerRequest request) {
        response.getHeaders().putSingle(Caller.REQUEST_ID_HEADER, ensure(request));
    }

    static String ensure(HttpServerRequest request) {
        if (request == null) {
            return UUID.randomUUID().toString();
        }
        String id = request.getHeader(Caller.REQUEST_ID_HEADER);
        if (id == null
                || id.isBlank()
                || id.length() > MAX_LENGTH
                || !id.chars().allMatch(c -> c > 32 && c < 127)) {
            id = UUID.randomUUID().toString();
            request.headers().set(Caller.REQUEST_ID_HEADER, id);
        }
        return id.trim();
    }
}
