package io.scimledger.it;

import io.scimledger.security.Scopes;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;

/** Mints test tokens with the development key (deploy/dev-keys), exactly as deploy/mint-dev-token.sh does. */
public final class Tokens {

    public static final String ISSUER = "https://scim-ledger.local/dev";
    private static PrivateKey key;

    private Tokens() {}

    public static String token(String tenant, String subject, String... scopes) {
        return Jwt.issuer(ISSUER)
                .subject(subject)
                .claim("tenant", tenant)
                .claim("azp", subject + "-client")
                .claim("scope", String.join(" ", scopes))
                .expiresIn(Duration.ofHours(1))
                .sign(privateKey());
    }

    /** What an identity provider gets: read and write SCIM. */
    public static String idp(String tenant) {
        return token(tenant, "idp-" + tenant, Scopes.SCIM_READ, Scopes.SCIM_WRITE);
    }

    /** The platform operator: tenants, rebuilds, the relay, any tenant's administration. */
    public static String admin() {
        return token("ops", "operator", Scopes.PLATFORM_ADMIN);
    }

    /** A tenant's own administrator: that tenant only. */
    public static String tenantAdmin(String tenant) {
        return token(tenant, "admin-of-" + tenant, Scopes.ADMIN);
    }

    static synchronized PrivateKey privateKey() {
        if (key == null) {
            try {
                key = KeyUtils.decodePrivateKey(Files.readString(Path.of("deploy/dev-keys/dev-jwt-private.pem")));
            } catch (Exception e) {
                throw new IllegalStateException("cannot read the dev signing key", e);
            }
        }
        return key;
    }
}
