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

    private static final String BEARER = "Bearer ";

    private final ProvisioningTokens provisioningTokens;
    private final TenantIssuerTokens tenantIssuerTokens;
    private final String platformIssuer;
    private final VerifiedJwtCache verifiedJwts = new VerifiedJwtCache();

    public BearerTokenMechanism(
            ProvisioningTokens provisioningTokens,
            TenantIssuerTokens tenantIssuerTokens,
            @ConfigProperty(name = "mp.jwt.verify.issuer") String platformIssuer) {
        this.provisioningTokens = provisioningTokens;
        this.tenantIssuerTokens = tenantIssuerTokens;
        this.platformIssuer = platformIssuer;
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
        String issuer = UnverifiedJwt.issuer(token);
        if (issuer == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("the bearer token is not a JWT"));
        }
        if (issuer.equals(platformIssuer)) {
            String key = VerifiedJwtCache.keyOf(token);
            SecurityIdentity known = verifiedJwts.find(key, Instant.now());
            if (known != null) {
                Phases.since(Phases.AUTH_JWT_CACHED, start);
                return Uni.createFrom().item(known);
            }
            return identityProviderManager
                    .authenticate(new TokenAuthenticationRequest(new JsonWebTokenCredential(token)))
                    .invoke(identity -> {
                        verifiedJwts.put(key, identity, Instant.now());
                        Phases.since(Phases.AUTH_JWT, start);
                    });
        }
        return tenantIssuerTokens.verify(token, issuer);
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
