package io.scimledger.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Pins {@link HashChain}: which envelope fields an event hash covers, how they are written, and the hash values of
 * a fixed three-event stream (genesis, then two links).
 *
 * <p>A failure here means stored hash chains would no longer verify: every event already in the log was hashed this
 * way. Never "update" a literal to make this pass; changing what or how an event hash covers needs a migration plan
 * for the stored chains first. The expected values were computed independently of the Java code by
 * {@code src/test/independent/chain_pins.py} (Python hashlib, none of the project's code), following
 * docs/audit.md "Verifying the hash chain".
 */
class HashChainPinTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final UUID STREAM = UUID.fromString("5f0c6a4e-1b7d-4c1e-9a53-2d8e6f0b7c11");
    private static final UUID TXN_1 = UUID.fromString("0d9e1f7a-3c2b-4e5d-8f6a-7b8c9d0e1f21");
    private static final UUID TXN_2 = UUID.fromString("0d9e1f7a-3c2b-4e5d-8f6a-7b8c9d0e1f22");
    private static final String SEALED = "{\"$enc\":\"q2Vj4mJbS0oAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}";

    static final String V1_HASH = "af4370eaff067581fbdc9d91892b50192f25fdf3dd42a4b708b364f9fed87058";
    static final String V2_HASH = "61f170856394480b95c251d95505be0f8e627aa67aa7881f70c8da7a56d9c839";
    static final String V3_HASH = "9f746001c7d64359aa66d05fa815941f83635ec67ab9172fbfd92cd9d73cf979";

    /** Version 1: every actor field set, a sealed value, an instant without fraction. */
    private static StoredEvent v1(byte[] prevHash, byte[] hash) throws Exception {
        return new StoredEvent(
                101,
                "7001",
                UUID.fromString("a1b2c3d4-0001-4000-8000-000000000001"),
                "acme",
                StreamType.User,
                STREAM,
                1,
                EventType.UserCreated,
                1,
                Instant.parse("2026-05-04T09:15:02Z"),
                "okta-provisioner",
                "okta",
                "req-1",
                "203.0.113.7",
                TXN_1,
                payload("{\"state\":{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                        + "\"userName\":" + SEALED + ",\"title\":\"Tour Guide\",\"active\":true},"
                        + "\"request\":{\"method\":\"POST\"}}"),
                prevHash,
                hash);
    }

    /**
     * Version 2: null actor client and address (hashed as JSON null), non-ASCII text including a character outside
     * the BMP (U+1F5FA, hashed as its escaped surrogate pair), an instant of whole milliseconds.
     */
    private static StoredEvent v2(byte[] prevHash, byte[] hash) throws Exception {
        String title = "\"F\\u00fchrer de visite \\u2014 \\ud83d\\uddfa\"";
        return new StoredEvent(
                102,
                "7002",
                UUID.fromString("a1b2c3d4-0002-4000-8000-000000000002"),
                "acme",
                StreamType.User,
                STREAM,
                2,
                EventType.UserPatched,
                1,
                Instant.parse("2026-05-04T09:15:02.120Z"),
                "okta-provisioner",
                null,
                "req-2",
                null,
                TXN_2,
                payload("{\"state\":{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                        + "\"userName\":" + SEALED + ",\"title\":" + title + ",\"active\":true},"
                        + "\"request\":{\"method\":\"PATCH\",\"operations\":[{\"op\":\"replace\",\"path\":\"title\","
                        + "\"value\":" + title + "}]},\"changed\":[\"title\"]}"),
                prevHash,
                hash);
    }

    /** Version 3: nanoseconds in the instant (hashed truncated to microseconds), IPv6 address. */
    private static StoredEvent v3(byte[] prevHash, byte[] hash) throws Exception {
        return new StoredEvent(
                103,
                "7002",
                UUID.fromString("a1b2c3d4-0003-4000-8000-000000000003"),
                "acme",
                StreamType.User,
                STREAM,
                3,
                EventType.UserDeleted,
                1,
                Instant.parse("2026-05-04T09:15:02.123456789Z"),
                null,
                null,
                null,
                "2001:db8::1",
                TXN_2,
                payload("{\"request\":{\"method\":\"DELETE\"}}"),
                prevHash,
                hash);
    }

    private static ObjectNode payload(String json) throws Exception {
        return (ObjectNode) JsonSupport.MAPPER.readTree(json);
    }

    /** The bytes an event hash covers: all envelope fields, keys sorted, nulls present, then the payload. */
    @Test
    void canonicalEnvelopeOfAnEvent() throws Exception {
        assertEquals(
                "{\"actorClientId\":\"okta\",\"actorSubject\":\"okta-provisioner\","
                        + "\"clientAddress\":\"203.0.113.7\",\"eventId\":\"a1b2c3d4-0001-4000-8000-000000000001\","
                        + "\"occurredAt\":\"2026-05-04T09:15:02Z\",\"payload\":{\"request\":{\"method\":\"POST\"},"
                        + "\"state\":{\"active\":true,\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                        + "\"title\":\"Tour Guide\",\"userName\":{\"$enc\":"
                        + "\"q2Vj4mJbS0oAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}}},\"requestId\":\"req-1\","
                        + "\"schemaVersion\":1,\"streamId\":\"5f0c6a4e-1b7d-4c1e-9a53-2d8e6f0b7c11\","
                        + "\"streamType\":\"User\",\"tenant\":\"acme\","
                        + "\"txnId\":\"0d9e1f7a-3c2b-4e5d-8f6a-7b8c9d0e1f21\",\"type\":\"UserCreated\",\"version\":1}",
                new String(HashChain.canonicalBytes(v1(null, null)), StandardCharsets.UTF_8));
        assertEquals(
                "{\"actorClientId\":null,\"actorSubject\":null,\"clientAddress\":\"2001:db8::1\","
                        + "\"eventId\":\"a1b2c3d4-0003-4000-8000-000000000003\","
                        + "\"occurredAt\":\"2026-05-04T09:15:02.123456Z\",\"payload\":{\"request\":{\"method\":"
                        + "\"DELETE\"}},\"requestId\":null,\"schemaVersion\":1,"
                        + "\"streamId\":\"5f0c6a4e-1b7d-4c1e-9a53-2d8e6f0b7c11\",\"streamType\":\"User\","
                        + "\"tenant\":\"acme\",\"txnId\":\"0d9e1f7a-3c2b-4e5d-8f6a-7b8c9d0e1f22\","
                        + "\"type\":\"UserDeleted\",\"version\":3}",
                new String(HashChain.canonicalBytes(v3(null, null)), StandardCharsets.UTF_8));
    }

    /** A stream of three: genesis (32 zero bytes before version 1), then each version chained to the previous. */
    @Test
    void aChainOfThreeEvents() throws Exception {
        byte[] h1 = HashChain.hash(null, HashChain.canonicalBytes(v1(null, null)));
        assertEquals(V1_HASH, HEX.formatHex(h1));
        assertArrayEquals(
                h1,
                HashChain.hash(new byte[32], HashChain.canonicalBytes(v1(null, null))),
                "genesis: no predecessor hashes as 32 zero bytes");
        byte[] h2 = HashChain.hash(h1, HashChain.canonicalBytes(v2(h1, null)));
        assertEquals(V2_HASH, HEX.formatHex(h2));
        byte[] h3 = HashChain.hash(h2, HashChain.canonicalBytes(v3(h2, null)));
        assertEquals(V3_HASH, HEX.formatHex(h3));

        // the stored rows, as ChainVerifier reads them, verify link by link
        List<StoredEvent> stream = List.of(
                v1(null, HEX.parseHex(V1_HASH)),
                v2(HEX.parseHex(V1_HASH), HEX.parseHex(V2_HASH)),
                v3(HEX.parseHex(V2_HASH), HEX.parseHex(V3_HASH)));
        byte[] prev = null;
        for (StoredEvent e : stream) {
            assertTrue(HashChain.verifies(e, prev), "version " + e.version());
            prev = e.hash();
        }
        assertFalse(
                HashChain.verifies(v3(HEX.parseHex(V1_HASH), HEX.parseHex(V3_HASH)), HEX.parseHex(V1_HASH)),
                "version 3 chained to version 1 (version 2 removed) must not verify");
    }

    /** Position and tx id are assigned by the database after hashing, so they are not covered. */
    @Test
    void positionAndTxIdAreNotHashed() throws Exception {
        StoredEvent e = v1(null, null);
        StoredEvent moved = new StoredEvent(
                999,
                "8888",
                e.eventId(),
                e.tenant(),
                e.streamType(),
                e.streamId(),
                e.version(),
                e.type(),
                e.schemaVersion(),
                e.occurredAt(),
                e.actorSubject(),
                e.actorClientId(),
                e.requestId(),
                e.clientAddress(),
                e.txnId(),
                e.payload(),
                null,
                null);
        assertArrayEquals(HashChain.canonicalBytes(e), HashChain.canonicalBytes(moved));
    }

    /** The link itself: SHA-256 over the predecessor's hash, then the canonical bytes. */
    @Test
    void linkIsSha256OfPreviousHashThenContent() {
        byte[] prev = new byte[32];
        for (int i = 0; i < 32; i++) {
            prev[i] = (byte) i;
        }
        assertEquals(
                "42fd4a8c529fdb402d577c701b291018f0b2c52207f96e2a057483fd349a9868",
                HEX.formatHex(HashChain.hash(prev, "abc".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(
                "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925",
                HEX.formatHex(HashChain.hash(null, new byte[0])),
                "genesis over no content: SHA-256 of 32 zeros");
    }
}
