package io.scimledger.ops;

import io.quarkus.security.identity.SecurityIdentity;
import io.scimledger.security.BearerTokenMechanism;
import io.scimledger.security.Caller;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Puts the request id and the tenant into the logging MDC, so every line logged while a request is handled carries
 * them (text format: {@code [req=... tenant=...]}; JSON format: the {@code mdc} object). Quarkus keeps the MDC in
 * the request's Vert.x context, so it follows the request onto worker threads. Runs after security.RequestIds (which
 * is pre-matching) has settled the id. Nothing from the request body, query or token other than the tenant claim
 * is logged here: those carry personal data and secrets.
 */
public class RequestLogContext {

    static final String REQUEST_ID = "requestId";
    static final String TENANT = "tenant";

    private static final Logger LOG = Logger.getLogger(RequestLogContext.class);

    /**
     * The identity, not the injectable JsonWebToken: outside the dev and test profiles Quarkus' JsonWebToken producer
     * throws for a principal that is not a JWT, which made every request with a provisioning token (slpt_...) a 500
     * in production (found by bench/speed.sh).
     */
    @Inject
    SecurityIdentity identity;

    @ConfigProperty(name = "scim.tenant-claim")
    String tenantClaim;

    @ServerRequestFilter
    public void enter(ContainerRequestContext context, HttpServerRequest request) {
        String requestId = request.getHeader(Caller.REQUEST_ID_HEADER);
        if (requestId != null) {
            MDC.put(REQUEST_ID, requestId);
        }
        Object tenant = tenantOf(identity);
        if (tenant != null) {
            MDC.put(TENANT, tenant.toString());
        }
        if (LOG.isDebugEnabled()) {
            // The path only: the query string can hold a filter on userName or emails.
            LOG.debugf("%s %s", request.method(), request.path());
        }
    }

    private Object tenantOf(SecurityIdentity id) {
        if (id == null || id.isAnonymous()) {
            return null;
        }
        Object attribute = id.getAttribute(BearerTokenMechanism.TENANT);
        if (attribute != null) {
            return attribute;
        }
        return id.getPrincipal() instanceof JsonWebToken jwt ? jwt.getClaim(tenantClaim) : null;
    }

    @ServerResponseFilter
    public void leave(ContainerRequestContext context) {
        MDC.remove(REQUEST_ID);
        MDC.remove(TENANT);
    }
}
