package io.scimledger.security;

import io.scimledger.scim.ScimException;
import io.scimledger.tenants.TenantRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Static bearer tokens for identity providers that cannot obtain a signed token (Okta's "HTTP Header" connection,
 * Entra's "Secret Token"): 256 random bits behind a recognisable prefix, shown once, stored only as a SHA-256. A
 * SHA-256 (not a slow password hash) is enough because the token has full entropy, and it keeps verification to one
 * cached map lookup on the hot path. The cache is trusted only while registry change notifications arrive
 * ({@link TenantRegistry#cacheable()}), so a revocation takes effect on every instance at its commit.
 */
@ApplicationScoped
public class ProvisioningTokens {

    /** Every provisioning token starts with this, so it is told from a JWT without parsing, and found by scanners. */
    public static final String PREFIX = "slpt_";

    /** What a token may grant: never the platform operator's scope. */
    public static final Set<String> GRANTABLE =
            Set.of(Scopes.SCIM_READ, Scopes.SCIM_WRITE, Scopes.AUDIT_READ, Scopes.ADMIN);

    private static final Logger LOG = Logger.getLogger(ProvisioningTokens.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    /** A live token as the registry holds it. */
    public record Credential(
            UUID id,
            String tenant,
            String label,
            List<String> scopes,
            Instant expiresAt,
            Instant revokedAt,
            Instant lastUsedAt) {

        boolean usableAt(Instant now) {
            return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
        }
    }

    private final Pool pool;
    private final TenantRegistry registry;
    private final Map<String, Credential> cache = new ConcurrentHashMap<>();

    public ProvisioningTokens(Pool pool, TenantRegistry registry) {
        this.pool = pool;
        this.registry = registry;
        registry.onChange(what -> {
            if ("credentials".equals(what) || "*".equals(what)) {
                cache.clear();
            }
        });
    }

    public static String generate() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public static String hashHex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    public static void requireGrantable(List<String> scopes) {
        if (scopes == null || scopes.isEmpty()) {
            throw ScimException.invalidValue(
                    "'scopes' must list what the token may do, e.g. [\"scim:read\", " + "\"scim:write\"]");
        }
        for (String s : scopes) {
            if (!GRANTABLE.contains(s)) {
                throw ScimException.invalidValue("a provisioning token may hold only "
                        + String.join(", ", GRANTABLE.stream().sorted().toList()));
            }
        }
    }

    /** The credential behind a presented token, if it exists and is neither revoked nor expired. */
    public Uni<Optional<Credential>> verify(String token) {
        String hash = hashHex(token);
        Instant now = Instant.now();
        Credential cached = registry.cacheable() ? cache.get(hash) : null;
        Uni<Optional<Credential>> found = cached != null
                ? Uni.createFrom().item(Optional.of(cached))
                : pool.preparedQuery("SELECT credential_id, tenant_id, label, scopes, expires_at, revoked_at, "
                                + "last_used_at FROM tenant_credential WHERE token_hash = $1")
                        .execute(Tuple.of(Buffer.buffer(sha256(token))))
                        .map(rows -> {
                            if (rows.size() == 0) {
                                return Optional.<Credential>empty(); // unknown tokens are not cached: unbounded
                            }
                            Credential c = fromRow(rows.iterator().next());
                            if (registry.cacheable()) {
                                cache.put(hash, c);
                            }
                            return Optional.of(c);
                        });
        return found.map(c -> c.filter(cred -> cred.usableAt(now)).map(cred -> touched(hash, cred, now)));
    }

    /** Records the use at most once a minute per token, without making the request wait for it. */
    private Credential touched(String hash, Credential c, Instant now) {
        if (c.lastUsedAt() != null && c.lastUsedAt().plus(LAST_USED_GRANULARITY).isAfter(now)) {
            return c;
        }
        Credential updated =
                new Credential(c.id(), c.tenant(), c.label(), c.scopes(), c.expiresAt(), c.revokedAt(), now);
        cache.computeIfPresent(hash, (h, old) -> updated);
        pool.preparedQuery("UPDATE tenant_credential SET last_used_at = $2 WHERE credential_id = $1")
                .execute(Tuple.of(c.id(), now.atOffset(ZoneOffset.UTC)))
                .subscribe()
                .with(ok -> {}, failure -> LOG.debugf("last use of a token not recorded: %s", failure.getMessage()));
        return updated;
    }

    private static Credential fromRow(Row r) {
        return new Credential(
                r.getUUID("credential_id"),
                r.getString("tenant_id"),
                r.getString("label"),
                List.of(r.getString("scopes").split(" ")),
                instant(r.getOffsetDateTime("expires_at")),
                instant(r.getOffsetDateTime("revoked_at")),
                instant(r.getOffsetDateTime("last_used_at")));
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
