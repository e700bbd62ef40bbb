package io.scimledger.ops;

import io.scimledger.security.Caller;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Puts the request id and the tenant into the logging MDC, so every line logged while a request is handled carries
 * them (text format: {@code [req=... tenant=...]}; JSON format: the {@code mdc} object). Quarkus keeps the MDC in
 * the request's Vert.x context, so it follows the request onto worker threads. Runs after security.RequestIds (which
 * is pre-matching) has settled the id. Nothing from the request body, query or token other than the tenant
 * is logged here: those carry personal data and secrets.
 */
public class RequestLogContext {

    static final String REQUEST_ID = "requestId";
    static final String TENANT = "tenant";

    private static final Logger LOG = Logger.getLogger(RequestLogContext.class);

    /**
     * The caller's identity, not the injectable JsonWebToken: Quarkus' JsonWebToken producer throws for a principal
     * that is not a JWT, which made every request with a provisioning token (slpt_...) a 500.
     */
    @Inject
    Caller caller;

    @ServerRequestFilter
    public void enter(ContainerRequestContext context, HttpServerRequest request) {
        String requestId = request.getHeader(Caller.REQUEST_ID_HEADER);
        if (requestId != null) {
            MDC.put(REQUEST_ID, requestId);
        }
        // The tenant the token names, whichever kind of token it is (never looked up in the registry here).
        String tenant = caller.tokenTenant();
        if (tenant != null) {
            MDC.put(TENANT, tenant);
        }
        if (LOG.isDebugEnabled()) {
            // The path only: the query string can hold a filter on userName or emails.
            LOG.debugf("%s %s", request.method(), request.path());
        }
    }

    @ServerResponseFilter
    public void leave(ContainerRequestContext context) {
        MDC.remove(REQUEST_ID);
        MDC.remove(TENANT);
    }
}
