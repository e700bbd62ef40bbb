package io.scimledger.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.security.Scopes;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An identity provider whose own signed tokens act for a tenant, with no shared secret (docs/tenants.md): Entra ID's
 * app-only tokens for the provisioning app, for example. A token is accepted when it is signed by a key of
 * {@code jwksUrl} (or {@code publicKey}), its {@code iss} is {@code issuer}, its {@code aud} holds {@code audience},
 * and, when {@code tenantClaim} is set, that claim equals {@code tenantClaimValue} (Entra's {@code tid} mapped to one
 * of our tenants). Such a token gets exactly {@code scopes}: identity providers do not put our scope names in tokens.
 */
public record TrustedIssuer(
        String issuer,
        String jwksUrl,
        String publicKey,
        String audience,
        String tenantClaim,
        String tenantClaimValue,
        List<String> scopes) {

    /** What an issuer may grant: never the platform operator's scope. */
    static final Set<String> GRANTABLE = Set.of(Scopes.SCIM_READ, Scopes.SCIM_WRITE, Scopes.AUDIT_READ, Scopes.ADMIN);

    public TrustedIssuer {
        scopes = List.copyOf(scopes);
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("issuer", issuer);
        if (jwksUrl != null) {
            o.put("jwksUrl", jwksUrl);
        }
        if (publicKey != null) {
            o.put("publicKey", publicKey);
        }
        o.put("audience", audience);
        if (tenantClaim != null) {
            o.put("tenantClaim", tenantClaim).put("tenantClaimValue", tenantClaimValue);
        }
        ArrayNode s = o.putArray("scopes");
        scopes.forEach(s::add);
        return o;
    }

    public static TrustedIssuer fromStored(JsonNode o) {
        List<String> scopes = new ArrayList<>();
        o.path("scopes").forEach(s -> scopes.add(s.asText()));
        return new TrustedIssuer(
                o.path("issuer").asText(),
                text(o, "jwksUrl"),
                text(o, "publicKey"),
                o.path("audience").asText(),
                text(o, "tenantClaim"),
                text(o, "tenantClaimValue"),
                scopes);
    }

    /**
     * Validates an issuer as an operator sends it.
     *
     * @param platformIssuer the issuer of the platform's own tokens, which no tenant may claim
     * @throws ScimException 400 with what is wrong
     */
    public static TrustedIssuer parse(JsonNode body, String platformIssuer) {
        String issuer = required(body, "issuer");
        if (issuer.equals(platformIssuer)) {
            throw ScimException.invalidValue("the platform's own issuer cannot be trusted for one tenant");
        }
        String jwksUrl = optional(body, "jwksUrl");
        String publicKey = optional(body, "publicKey");
        if ((jwksUrl == null) == (publicKey == null)) {
            throw ScimException.invalidValue(
                    "give exactly one of 'jwksUrl' (the issuer's key set) or 'publicKey' (PEM)");
        }
        if (jwksUrl != null) {
            URI uri;
            try {
                uri = URI.create(jwksUrl);
            } catch (IllegalArgumentException e) {
                throw ScimException.invalidValue("'jwksUrl' is not a URL");
            }
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw ScimException.invalidValue("'jwksUrl' must be an http(s) URL");
            }
        }
        if (publicKey != null && !publicKey.contains("BEGIN PUBLIC KEY")) {
            throw ScimException.invalidValue("'publicKey' must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        String audience = required(body, "audience");
        String tenantClaim = optional(body, "tenantClaim");
        String tenantClaimValue = optional(body, "tenantClaimValue");
        if ((tenantClaim == null) != (tenantClaimValue == null)) {
            throw ScimException.invalidValue("'tenantClaim' and 'tenantClaimValue' go together");
        }
        JsonNode scopesNode = JsonMembers.get(body, "scopes");
        List<String> scopes = new ArrayList<>();
        if (scopesNode == null || !scopesNode.isArray() || scopesNode.isEmpty()) {
            throw ScimException.invalidValue(
                    "'scopes' must list what this issuer's tokens may do, e.g. " + "[\"scim:read\", \"scim:write\"]");
        }
        for (JsonNode s : scopesNode) {
            if (!s.isTextual() || !GRANTABLE.contains(s.asText())) {
                throw ScimException.invalidValue("'scopes' may hold only "
                        + String.join(", ", GRANTABLE.stream().sorted().toList()));
            }
            scopes.add(s.asText());
        }
        return new TrustedIssuer(issuer, jwksUrl, publicKey, audience, tenantClaim, tenantClaimValue, scopes);
    }

    private static String required(JsonNode body, String name) {
        String v = optional(body, name);
        if (v == null) {
            throw ScimException.invalidValue("'" + name + "' is required");
        }
        return v;
    }

    private static String optional(JsonNode body, String name) {
        JsonNode v = JsonMembers.get(body, name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > 8192) {
            throw ScimException.invalidValue("'" + name + "' must be a non-empty string");
        }
        return v.asText().trim();
    }

    private static String text(JsonNode o, String name) {
        JsonNode v = o.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }
}
