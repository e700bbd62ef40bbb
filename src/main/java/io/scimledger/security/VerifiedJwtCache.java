package io.scimledger.security;

import io.quarkus.security.identity.SecurityIdentity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Identities of platform-issued JWTs that passed SmallRye JWT's verification, so the RSA signature of the same token is
 * not checked again on every request (it capped a request at about 10,000/s per machine, docs/performance.md).
 *
 * <p>Why this is the same decision: a JWT is verified from itself and the configured key alone, so a token that
 * verified once verifies again until it expires; JWTs cannot be revoked. An entry is used only strictly before the
 * token's {@code exp}; after it, the token goes through full verification again (which refuses it, clock skew
 * aside, exactly as before). Failures are never cached. The key is the token's SHA-256, so the cache holds no
 * bearer secrets. Tokens of issuers a tenant trusts are not cached: a tenant can withdraw that trust at any time.
 *
 * <p>Bounded: at {@link #MAX_ENTRIES} the expired entries are dropped, and if that frees nothing the cache starts
 * over (an identity provider mints a handful of tokens an hour per connection; this only guards against abuse).
 */
final class VerifiedJwtCache {

    static final int MAX_ENTRIES = 10_000;
    private static final String ROUTING_CONTEXT = "io.vertx.ext.web.RoutingContext";

    private record Entry(SecurityIdentity identity, Instant expires) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** The identity of a token verified before, if it has not expired since. */
    SecurityIdentity find(String key, Instant now) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (!now.isBefore(e.expires())) {
            entries.remove(key, e);
            return null;
        }
        return e.identity();
    }

    /** Remembers a verified identity until its token's {@code exp}; tokens without one are not kept. */
    void put(String key, SecurityIdentity identity, Instant now) {
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt)
                || !(jwt.getClaim("exp") instanceof Number exp)
                || identity.getAttribute(ROUTING_CONTEXT) != null) {
            return; // no expiry, or an identity tied to the request it was made for: never shared
        }
        Instant expires = Instant.ofEpochSecond(exp.longValue());
        if (!now.isBefore(expires)) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.values().removeIf(e -> !now.isBefore(e.expires()));
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
        }
        entries.put(key, new Entry(identity, expires));
    }

    int size() {
        return entries.size();
    }

    static String keyOf(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
