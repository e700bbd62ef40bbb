package io.scimledger.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/** A verified platform JWT is trusted again only strictly before its exp, only for the very same token. */
class VerifiedJwtCacheTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void verifiedTokenIsKnownUntilItsExpiryAndNotAfter() {
        VerifiedJwtCache cache = new VerifiedJwtCache();
        SecurityIdentity id = identity(NOW.plusSeconds(60).getEpochSecond(), false);
        cache.put("k", id, NOW);
        assertSame(id, cache.find("k", NOW));
        assertSame(id, cache.find("k", NOW.plusSeconds(59)));
        assertNull(cache.find("k", NOW.plusSeconds(60)), "at exp the token must be verified again");
        assertNull(cache.find("k", NOW), "an expired entry is dropped");
        assertNull(cache.find("other", NOW));
    }

    @Test
    void tokensWithoutExpiryAlreadyExpiredOrTiedToARequestAreNotKept() {
        VerifiedJwtCache cache = new VerifiedJwtCache();
        cache.put("none", identity(0, false), NOW);
        cache.put("past", identity(NOW.minusSeconds(1).getEpochSecond(), false), NOW);
        cache.put("request", identity(NOW.plusSeconds(60).getEpochSecond(), true), NOW);
        assertEquals(0, cache.size());
    }

    @Test
    void theKeyIsTheWholeTokensDigest() {
        assertEquals(VerifiedJwtCache.keyOf("a.b.c"), VerifiedJwtCache.keyOf("a.b.c"));
        assertNotEquals(VerifiedJwtCache.keyOf("a.b.c"), VerifiedJwtCache.keyOf("a.b.d"), "another signature");
    }

    @Test
    void staysBounded() {
        VerifiedJwtCache cache = new VerifiedJwtCache();
        SecurityIdentity id = identity(NOW.plusSeconds(60).getEpochSecond(), false);
        for (int i = 0; i <= VerifiedJwtCache.MAX_ENTRIES + 5; i++) {
            cache.put("k" + i, id, NOW);
        }
        assertEquals(true, cache.size() <= VerifiedJwtCache.MAX_ENTRIES);
    }

    private static SecurityIdentity identity(long exp, boolean withRoutingContext) {
        Map<String, Object> claims = new HashMap<>();
        if (exp > 0) {
            claims.put("exp", exp);
        }
        JsonWebToken jwt = new JsonWebToken() {
            @Override
            public String getName() {
                return "sub";
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @SuppressWarnings("unchecked")
            @Override
            public <T> T getClaim(String claimName) {
                return (T) claims.get(claimName);
            }
        };
        var b = QuarkusSecurityIdentity.builder().setPrincipal(jwt);
        if (withRoutingContext) {
            b.addAttribute("io.vertx.ext.web.RoutingContext", new Object());
        }
        return b.build();
    }
}
