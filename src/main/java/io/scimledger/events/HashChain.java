package io.scimledger.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The per-stream hash chain: {@code hash = SHA-256(prevHash || canonicalBytes(event))}, where prevHash is the
 * previous event's hash in the same stream (32 zero bytes for version 1). Altering, removing or reordering any
 * event of a stream breaks every later link. Hashes cover the sealed (encrypted) payload, so erasing a person
 * (destroying their key) never breaks verification.
 */
public final class HashChain {

    private static final byte[] GENESIS = new byte[32];

    private HashChain() {}

    public static byte[] hash(byte[] prevHash, byte[] canonicalEvent) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prevHash == null ? GENESIS : prevHash);
            sha.update(canonicalEvent);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** The bytes a hash covers: every envelope field and the payload, in canonical JSON. */
    public static byte[] canonicalBytes(StoredEvent e) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("eventId", e.eventId().toString());
        n.put("tenant", e.tenant());
        n.put("streamType", e.streamType().name());
        n.put("streamId", e.streamId().toString());
        n.put("version", e.version());
        n.put("type", e.type().name());
        n.put("schemaVersion", e.schemaVersion());
        n.put("occurredAt", e.occurredAt().truncatedTo(ChronoUnit.MICROS).toString());
        n.put("actorSubject", e.actorSubject());
        n.put("actorClientId", e.actorClientId());
        n.put("requestId", e.requestId());
        n.put("clientAddress", e.clientAddress());
        n.put("txnId", e.txnId().toString());
        n.set("payload", e.payload());
        return CanonicalJson.bytes(n);
    }

    /** True if the event's stored hash matches its content and the given predecessor hash. */
    public static boolean verifies(StoredEvent e, byte[] expectedPrevHash) {
        byte[] prev = e.prevHash();
        boolean prevMatches = expectedPrevHash == null ? prev == null : MessageDigest.isEqual(prev, expectedPrevHash);
        return prevMatches && MessageDigest.isEqual(e.hash(), hash(prev, canonicalBytes(e)));
    }

    /** Event time as stored: PostgreSQL keeps microseconds, so we never hash more precision than it returns. */
    public static Instant eventTime(Instant now) {
        return now.truncatedTo(ChronoUnit.MICROS);
    }
}
