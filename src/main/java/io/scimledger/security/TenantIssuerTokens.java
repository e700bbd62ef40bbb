package io.scimledger.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.scimledger.tenants.Tenant;
import io.scimledger.tenants.TenantRegistry;
import io.scimledger.tenants.TrustedIssuer;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Verifies a JWT signed by an identity provider that a tenant trusts (docs/tenants.md, "Trusted issuers"). The
 * issuer named in the token selects the tenants that trust it; the tenant claim, when configured, must name the
 * tenant (Entra's {@code tid}); then the signature (key set fetched from the issuer's {@code jwksUrl}, or the
 * configured key), issuer, audience and lifetime are checked by SmallRye JWT. Key sets are fetched on a worker
 * thread and kept by the verification context of each (tenant, issuer), which is rebuilt whenever the registry
 * changes.
 */
@ApplicationScoped
public class TenantIssuerTokens {

    private final TenantRegistry registry;
    private final JWTParser parser;
    private final Map<String, JWTAuthContextInfo> contexts = new ConcurrentHashMap<>();

    public TenantIssuerTokens(TenantRegistry registry, JWTParser parser) {
        this.registry = registry;
        this.parser = parser;
        registry.onChange(what -> contexts.clear());
    }

    public Uni<SecurityIdentity> verify(String token, String issuer) {
        JsonNode claims = UnverifiedJwt.claims(token);
        return Uni.createFrom()
                .item(() -> identity(token, issuer, claims))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private SecurityIdentity identity(String token, String issuer, JsonNode claims) {
        List<Tenant> trusting = registry.trusting(issuer);
        Tenant tenant = null;
        TrustedIssuer entry = null;
        for (Tenant t : trusting) {
            for (TrustedIssuer i : t.issuers()) {
                if (!i.issuer().equals(issuer)) {
                    continue;
                }
                boolean claimMatches = i.tenantClaim() == null
                        || (claims != null
                                && i.tenantClaimValue()
                                        .equals(claims.path(i.tenantClaim()).asText(null)));
                if (claimMatches) {
                    if (tenant != null) {
                        throw new AuthenticationFailedException("issuer " + issuer + " maps to more than one tenant");
                    }
                    tenant = t;
                    entry = i;
                }
            }
        }
        if (tenant == null) {
            throw new AuthenticationFailedException("no tenant trusts this token's issuer and tenant claim");
        }
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token, context(tenant.name(), entry));
        } catch (ParseException e) {
            throw new AuthenticationFailedException("token of a tenant's issuer refused: " + e.getMessage());
        }
        String client = firstClaim(jwt, "azp", "client_id", "appid");
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt)
                .addRoles(Set.copyOf(entry.scopes()))
                .addAttribute(BearerTokenMechanism.TENANT, tenant.name())
                .addAttribute(BearerTokenMechanism.SUBJECT, jwt.getSubject())
                .addAttribute(BearerTokenMechanism.CLIENT, client)
                .addAttribute(BearerTokenMechanism.ISSUER, issuer)
                .build();
    }

    private JWTAuthContextInfo context(String tenant, TrustedIssuer entry) {
        return contexts.computeIfAbsent(tenant + "\n" + entry.issuer(), k -> {
            JWTAuthContextInfo info = new JWTAuthContextInfo();
            info.setIssuedBy(entry.issuer());
            info.setExpectedAudience(Set.of(entry.audience()));
            if (entry.jwksUrl() != null) {
                info.setPublicKeyLocation(entry.jwksUrl());
            } else {
                info.setPublicKeyContent(entry.publicKey());
            }
            return info;
        });
    }

    private static String firstClaim(JsonWebToken jwt, String... names) {
        for (String n : names) {
            Object v = jwt.getClaim(n);
            if (v != null) {
                return v.toString();
            }
        }
        return null;
    }
}
