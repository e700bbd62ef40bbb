package io.scimledger.security;

import io.scimledger.events.RequestOrigin;
import io.scimledger.scim.ScimException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The authenticated caller of the current request: tenant, subject and client from the verified token, plus the
 * request id and client address that go into every event's envelope.
 */
@RequestScoped
public class Caller {

    /** Echoed back on every response so an IdP's logs and our audit trail can be joined. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    @Inject
    JsonWebToken jwt;

    @Inject
    HttpServerRequest request;

    @ConfigProperty(name = "scim.tenant-claim")
    String tenantClaim;

    private String requestId;

    /** The tenant every read and write of this request is confined to. */
    public String tenant() {
        Object claim = jwt.getClaim(tenantClaim);
        String tenant = claim == null ? null : claim.toString().trim();
        if (tenant == null || tenant.isEmpty() || tenant.length() > 200) {
            throw new ScimException(403, null, "the token carries no usable '" + tenantClaim + "' (tenant) claim");
        }
        return tenant;
    }

    public String requestId() {
        if (requestId == null) {
            requestId = RequestIds.ensure(request);
        }
        return requestId;
    }

    /** The OAuth client behind the token: azp, else client_id, else Entra's appid. */
    public String clientId() {
        for (String claim : new String[] {"azp", "client_id", "appid"}) {
            String v = claimText(claim);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    public String issuer() {
        return jwt.getIssuer();
    }

    public String subject() {
        return jwt.getSubject();
    }

    /**
     * The origin of an operator's request acting on another tenant (admin operations such as erasure): the event
     * belongs to that tenant, the envelope names the operator.
     */
    public RequestOrigin originIn(String targetTenant) {
        String address = request == null || request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return new RequestOrigin(targetTenant, jwt.getSubject(), clientId(), requestId(), address, receivedAt());
    }

    public RequestOrigin origin() {
        String clientId = clientId();
        String address = request == null || request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return new RequestOrigin(tenant(), jwt.getSubject(), clientId, requestId(), address, receivedAt());
    }

    /** Set by {@link RequestIds} before the request is matched, so it excludes our own processing time. */
    public java.time.Instant receivedAt() {
        return RequestIds.receivedAt(request);
    }

    private String claimText(String name) {
        Object v = jwt.getClaim(name);
        return v == null ? null : v.toString();
    }
}
