package io.scimledger.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.scimledger.ops.Phases;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Reads the bearer token of every request and sends it to the verifier that owns it:
 * <ul>
 *   <li>a provisioning token ({@value ProvisioningTokens#PREFIX}…): looked up by its hash ({@link ProvisioningTokens});
 *   <li>a JWT from the platform's own issuer ({@code mp.jwt.verify.issuer}): SmallRye JWT, as before; only these
 *       tokens can carry {@value Scopes#PLATFORM_ADMIN}; a token verified once is not verified again until it
 *       expires ({@link VerifiedJwtCache});</li>
 *   <li>a JWT from an issuer a tenant trusts: {@link TenantIssuerTokens}.</li>
 * </ul>
 * Identities of the last two kinds carry their tenant as the attribute {@value #TENANT}, so {@link Caller} never
 * has to know which kind of token a request came with.
 */
@ApplicationScoped
public class BearerTokenMechanism implements HttpAuthenticationMechanism {

    public static final String TENANT = "scim.tenant";
    public static final String SUBJECT = "scim.subject";
    public static final String CLIENT = "scim.client";
    public static final String ISSUER = "scim.issuer";
    /**
     * The tenant a platform JWT names in its tenant claim ({@code scim.tenant-claim}). Kept apart from
     * {@value #TENANT}, which only tokens bound to a registered tenant carry (registration on first use is for
     * platform tokens alone).
     */
    public static final String PLATFORM_TENANT = "scim.platform-tenant";

    private static final String BEARER = "Bearer ";

    private final ProvisioningTokens provisioningTokens;
    private final TenantIssuerTokens tenantIssuerTokens;
    private final String platformIssuer;
    private final String tenantClaim;
    private final VerifiedJwtCache verifiedJwts = new VerifiedJwtCache();

    public BearerTokenMechanism(
            ProvisioningTokens provisioningTokens,
            TenantIssuerTokens tenantIssuerTokens,
            @ConfigProperty(name = "mp.jwt.verify.issuer") String platformIssuer,
            @ConfigProperty(name = "scim.tenant-claim") String tenantClaim) {
        this.provisioningTokens = provisioningTokens;
        this.tenantIssuerTokens = tenantIssuerTokens;
        this.platformIssuer = platformIssuer;
        this.tenantClaim = tenantClaim;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = context.request().getHeader("Authorization");
        if (header == null) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        String token;
        if (header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            token = header.substring(BEARER.length()).trim();
        } else if (header.trim().startsWith(ProvisioningTokens.PREFIX)) {
            // Okta's custom "HTTP Header" connections send the header value as typed, often the bare token
            // (docs/compatibility.md); our tokens' prefix makes that unambiguous.
            token = header.trim();
        } else {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        long start = System.nanoTime();
        if (token.startsWith(ProvisioningTokens.PREFIX)) {
            return provisioningTokens
                    .verify(token)
                    .invoke(() -> Phases.since(Phases.AUTH_PROVISIONING, start))
                    .map(found -> found.map(c -> {
                                QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                                        .setPrincipal(new QuarkusPrincipal("token:" + c.id()))
                                        .addRoles(Set.copyOf(c.scopes()))
                                        .addAttribute(TENANT, c.tenant())
                                        .addAttribute(SUBJECT, "token:" + c.id())
                                        .addAttribute(CLIENT, c.label() == null ? "provisioning-token" : c.label());
                                return (SecurityIdentity) b.build();
                            })
                            .orElseThrow(() -> new AuthenticationFailedException(
                                    "unknown, revoked or expired provisioning token")));
        }
        // Only platform JWTs are cached, so a hit needs no look at the token's claims at all.
        String key = VerifiedJwtCache.keyOf(token);
        SecurityIdentity known = verifiedJwts.find(key, Instant.now());
        if (known != null) {
            Phases.since(Phases.AUTH_JWT_CACHED, start);
            return Uni.createFrom().item(known);
        }
        String issuer = UnverifiedJwt.issuer(token);
        if (issuer == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("the bearer token is not a JWT"));
        }
        if (issuer.equals(platformIssuer)) {
            return identityProviderManager
                    .authenticate(new TokenAuthenticationRequest(new JsonWebTokenCredential(token)))
                    .map(this::withCallerAttributes)
                    .invoke(identity -> {
                        verifiedJwts.put(key, identity, Instant.now());
                        Phases.since(Phases.AUTH_JWT, start);
                    });
        }
        return tenantIssuerTokens.verify(token, issuer);
    }

    /**
     * The claims {@link Caller} needs, read once when the token is verified and cached with the identity. SmallRye's
     * JsonWebToken resolves every claim name through {@code Claims.valueOf}, which throws (and fills in a stack
     * trace) for each non-standard name such as the tenant claim; read per request, that made a GET with a platform
     * JWT cost 2.6 times the service CPU of one with a provisioning token (docs/performance.md).
     */
    private SecurityIdentity withCallerAttributes(SecurityIdentity identity) {
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return identity;
        }
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder(identity);
        String tenant = claimText(jwt, tenantClaim);
        tenant = tenant == null ? null : tenant.trim();
        if (tenant != null && !tenant.isEmpty()) {
            b.addAttribute(PLATFORM_TENANT, tenant);
        }
        String subject = jwt.getSubject();
        b.addAttribute(
                SUBJECT, subject != null ? subject : identity.getPrincipal().getName());
        for (String claim : new String[] {"azp", "client_id", "appid"}) {
            String client = claimText(jwt, claim);
            if (client != null) {
                b.addAttribute(CLIENT, client);
                break;
            }
        }
        if (jwt.getIssuer() != null) {
            b.addAttribute(ISSUER, jwt.getIssuer());
        }
        return b.build();
    }

    private static String claimText(JsonWebToken jwt, String name) {
        Object v = jwt.getClaim(name);
        return v == null ? null : v.toString();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"scim\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
    }

    @Override
    public int getPriority() {
        return 3000; // before SmallRye JWT's own mechanism, which then never sees a request
    }
}
