package io.scimledger.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.scimledger.events.RequestOrigin;
import io.scimledger.scim.ScimException;
import io.scimledger.tenants.Tenant;
import io.scimledger.tenants.TenantAdministration;
import io.scimledger.tenants.TenantName;
import io.scimledger.tenants.TenantRegistry;
import io.scimledger.tenants.TenantSettings;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * The authenticated caller of the current request: tenant, subject and client from the verified token (whichever
 * kind: see {@link BearerTokenMechanism}), plus the request id and client address that go into every event's
 * envelope. The tenant must be registered and active (docs/tenants.md): otherwise every tenant-scoped request
 * answers 403.
 */
@RequestScoped
public class Caller {

    /** Echoed back on every response so an IdP's logs and our audit trail can be joined. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    private static final Logger LOG = Logger.getLogger(Caller.class);

    @Inject
    SecurityIdentity identity;

    @Inject
    HttpServerRequest request;

    @Inject
    TenantRegistry registry;

    @Inject
    TenantAdministration administration;

    @ConfigProperty(name = "scim.tenant-claim")
    String tenantClaim;

    /** Dev profile (and tests of older behaviour): a tenant named by a valid platform token is registered on use. */
    @ConfigProperty(name = "scim.tenants.register-on-first-use")
    boolean registerOnFirstUse;

    private String requestId;
    private Tenant tenant;

    /** The tenant every read and write of this request is confined to; registered and active. */
    public String tenant() {
        return registeredTenant().name();
    }

    /** The caller's tenant as registered: settings, issuers and extension schemas. */
    public Tenant registered() {
        return registeredTenant();
    }

    /** The caller's tenant's settings. */
    public TenantSettings settings() {
        return registeredTenant().settings();
    }

    /** The tenant the token names, before the registry is asked (null for a platform token without one). */
    public String tokenTenant() {
        Object attribute = identity.getAttribute(BearerTokenMechanism.TENANT);
        if (attribute != null) {
            return attribute.toString();
        }
        Object platformTenant = identity.getAttribute(BearerTokenMechanism.PLATFORM_TENANT);
        if (platformTenant != null) {
            return platformTenant.toString();
        }
        Object claim = jwt().map(j -> (Object) j.getClaim(tenantClaim)).orElse(null);
        String t = claim == null ? null : claim.toString().trim();
        return t == null || t.isEmpty() ? null : t;
    }

    private Tenant registeredTenant() {
        if (tenant != null) {
            return tenant;
        }
        String name = usableTokenTenant();
        Optional<Tenant> found = registry.find(name);
        if (found.isEmpty() && mayRegisterOnFirstUse()) {
            registerOnFirstUse(registrationOrigin(name));
            found = registry.find(name);
        }
        return remember(name, found);
    }

    /**
     * {@link #registered()} without blocking, for endpoints that run on the event loop (the read path): the
     * registry's cache, else one non-blocking query. Only registration on first use (a dev and test setting) moves
     * to a worker thread, since it appends an event.
     */
    public Uni<Tenant> registeredAsync() {
        if (tenant != null) {
            return Uni.createFrom().item(tenant);
        }
        String name = usableTokenTenant();
        // Everything that needs the request (its id, address, identity) is read now, on the request's thread.
        RequestOrigin registration = mayRegisterOnFirstUse() ? registrationOrigin(name) : null;
        return registry.findAsync(name).flatMap(found -> {
            if (found.isPresent() || registration == null) {
                return Uni.createFrom().item(remember(name, found));
            }
            return Uni.createFrom()
                    .item(() -> {
                        registerOnFirstUse(registration);
                        return remember(name, registry.find(name));
                    })
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        });
    }

    private String usableTokenTenant() {
        String name = tokenTenant();
        if (name == null || !TenantName.isValid(name)) {
            throw new ScimException(403, null, "the token carries no usable '" + tenantClaim + "' (tenant) claim");
        }
        return name;
    }

    private boolean mayRegisterOnFirstUse() {
        return registerOnFirstUse && identity.getAttribute(BearerTokenMechanism.TENANT) == null;
    }

    private void registerOnFirstUse(RequestOrigin origin) {
        if (administration.registerIfAbsent(origin)) {
            LOG.infof("tenant %s registered on first use (scim.tenants.register-on-first-use)", origin.tenant());
        }
    }

    private Tenant remember(String name, Optional<Tenant> found) {
        Tenant t = found.orElseThrow(() -> new ScimException(403, null, "tenant '" + name + "' is not registered"));
        if (!t.active()) {
            throw new ScimException(403, null, "tenant '" + name + "' is suspended");
        }
        tenant = t;
        return t;
    }

    /** True for the platform operator: {@value Scopes#PLATFORM_ADMIN} (only the platform's own issuer grants it). */
    public boolean isPlatformOperator() {
        return identity.hasRole(Scopes.PLATFORM_ADMIN);
    }

    /**
     * Whether this caller may administer {@code targetTenant}: the platform operator may administer any; a
     * tenant's administrator ({@value Scopes#ADMIN}) only its own. Callers answer 404 otherwise, so a foreign
     * tenant's existence is not revealed.
     */
    public boolean administers(String targetTenant) {
        if (isPlatformOperator()) {
            return true;
        }
        return identity.hasRole(Scopes.ADMIN) && targetTenant != null && targetTenant.equals(tokenTenantIfRegistered());
    }

    private String tokenTenantIfRegistered() {
        try {
            return tenant();
        } catch (ScimException notRegistered) {
            return null;
        }
    }

    public String requestId() {
        if (requestId == null) {
            requestId = RequestIds.ensure(request);
        }
        return requestId;
    }

    /** The OAuth client behind the token: azp, else client_id, else Entra's appid; a token's label for a static one. */
    public String clientId() {
        Object attribute = identity.getAttribute(BearerTokenMechanism.CLIENT);
        if (attribute != null) {
            return attribute.toString();
        }
        for (String claim : new String[] {"azp", "client_id", "appid"}) {
            String v = claimText(claim);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    public String issuer() {
        Object attribute = identity.getAttribute(BearerTokenMechanism.ISSUER);
        if (attribute != null) {
            return attribute.toString();
        }
        return jwt().map(JsonWebToken::getIssuer).orElse(null);
    }

    public String subject() {
        Object attribute = identity.getAttribute(BearerTokenMechanism.SUBJECT);
        if (attribute != null) {
            return attribute.toString();
        }
        return jwt().map(JsonWebToken::getSubject)
                .orElse(identity.getPrincipal().getName());
    }

    /**
     * The origin of an administrator's request acting on a tenant (erasure, credentials, settings, the tenant itself):
     * the event belongs to that tenant, the envelope names the administrator.
     */
    public RequestOrigin originIn(String targetTenant) {
        return new RequestOrigin(targetTenant, subject(), clientId(), requestId(), address(), receivedAt());
    }

    public RequestOrigin origin() {
        return new RequestOrigin(tenant(), subject(), clientId(), requestId(), address(), receivedAt());
    }

    /**
     * Registration on first use is the service's own doing (a setting), not the token holder's request: the event
     * names the service as its actor, and keeps the request id and address of the request that caused it.
     */
    private RequestOrigin registrationOrigin(String tenantName) {
        return new RequestOrigin(tenantName, REGISTERED_ON_FIRST_USE, null, requestId(), address(), receivedAt());
    }

    /** The actor of a TenantCreated event written by {@code scim.tenants.register-on-first-use}. */
    public static final String REGISTERED_ON_FIRST_USE = "scim-ledger:register-on-first-use";

    private String address() {
        return request == null || request.remoteAddress() == null
                ? null
                : request.remoteAddress().hostAddress();
    }

    /** Set by {@link RequestIds} before the request is matched, so it excludes our own processing time. */
    public Instant receivedAt() {
        return RequestIds.receivedAt(request);
    }

    private Optional<JsonWebToken> jwt() {
        return identity.getPrincipal() instanceof JsonWebToken j ? Optional.of(j) : Optional.empty();
    }

    private String claimText(String name) {
        Object v = jwt().map(j -> (Object) j.getClaim(name)).orElse(null);
        return v == null ? null : v.toString();
    }
}
