package io.scimledger.projection;

import io.scimledger.events.JsonSupport;
import io.scimledger.scim.ScimException;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Opaque cursors for RFC 9865 cursor pagination. A cursor is the keyset position (created, id) of the last resource
 * of a page, bound to the tenant, the resource type and the filter it was issued for, and signed (HMAC-SHA256): a
 * client can neither forge one nor replay it in another tenant or with another filter.
 */
@ApplicationScoped
public class Cursors {

    /** Where the next page starts: after this (created, id). */
    public record Position(Instant created, UUID id) {}

    private record Payload(String t, String r, String f, String c, String i, long e) {}

    private final byte[] secret;
    private final Duration timeout;

    public Cursors(
            @ConfigProperty(name = "scim.cursor.secret") Optional<String> configured,
            @ConfigProperty(name = "scim.cursor.timeout", defaultValue = "PT1H") Duration timeout) {
        // Without a configured secret cursors are valid for this process only (and its restarts invalidate them).
        this.secret = configured.map(s -> s.getBytes(StandardCharsets.UTF_8)).orElseGet(() -> {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return random;
        });
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    public String issue(String tenant, String resourceType, String filter, Position after) {
        Payload p = new Payload(
                tenant,
                resourceType,
                digest(filter),
                after.created().toString(),
                after.id().toString(),
                Instant.now().plus(timeout).getEpochSecond());
        try {
            byte[] body = JsonSupport.MAPPER.writeValueAsBytes(p);
            return b64(body) + "." + b64(sign(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The position a cursor names, or empty for the first page (an empty cursor). */
    public Optional<Position> read(String cursor, String tenant, String resourceType, String filter) {
        if (cursor.isBlank()) {
            return Optional.empty();
        }
        Payload p;
        try {
            int dot = cursor.indexOf('.');
            byte[] body = Base64.getUrlDecoder().decode(cursor.substring(0, dot));
            byte[] sig = Base64.getUrlDecoder().decode(cursor.substring(dot + 1));
            if (!MessageDigest.isEqual(sig, sign(body))) {
                throw invalid();
            }
            p = JsonSupport.MAPPER.readValue(body, Payload.class);
        } catch (ScimException e) {
            throw e;
        } catch (Exception e) {
            throw invalid();
        }
        if (!p.t().equals(tenant) || !p.r().equals(resourceType) || !p.f().equals(digest(filter))) {
            throw invalid();
        }
        if (Instant.now().getEpochSecond() > p.e()) {
            throw new ScimException(400, "expiredCursor", "the cursor has expired; start again without one");
        }
        return Optional.of(new Position(Instant.parse(p.c()), UUID.fromString(p.i())));
    }

    private static ScimException invalid() {
        return new ScimException(400, "invalidCursor", "the cursor is not valid for this request");
    }

    private byte[] sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String digest(String filter) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((filter == null ? "" : filter).getBytes(StandardCharsets.UTF_8));
            return b64(d).substring(0, 22);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
