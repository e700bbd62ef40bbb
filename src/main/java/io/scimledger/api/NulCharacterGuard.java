package io.scimledger.api;

import io.scimledger.scim.TextGuard;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a NUL character (U+0000) in the request line or any header with a SCIM 400 invalidValue before anything
 * else runs (see {@link TextGuard}): query parameters become filters, sort keys and audit bounds, and headers such
 * as X-Request-Id are stored in the log. Bodies are checked where they are parsed (ScimResponses.parseBody).
 */
public class NulCharacterGuard {

    @ServerRequestFilter(preMatching = true)
    public Response check(HttpServerRequest request) {
        String uri = request.uri();
        // %00 is the only way a NUL reaches a decoded parameter or path segment
        if (uri != null
                && (TextGuard.hasNul(uri) || uri.toLowerCase(Locale.ROOT).contains("%00"))) {
            return ScimResponses.error(TextGuard.nulIn("the request URI"));
        }
        for (Map.Entry<String, String> h : request.headers()) {
            if (TextGuard.hasNul(h.getKey()) || TextGuard.hasNul(h.getValue())) {
                return ScimResponses.error(
                        TextGuard.nulIn("header " + h.getKey().replace('\u0000', '?')));
            }
        }
        return null;
    }
}
