package io.scimledger.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Pins what a signed checkpoint commits to: the range root over a known list of event hashes
 * ({@link RangeRoot}), the exact signed text ({@link Checkpoint#signedText}) and its Ed25519 signature made
 * through {@link CheckpointKeys} with a fixed key pair (Ed25519 signatures are deterministic).
 *
 * <p>A failure here means stored checkpoints would no longer verify (and independent verifiers following
 * docs/audit.md would disagree with the service). Never "update" a literal to make this pass; a change of root or
 * signed text needs a migration plan first (e.g. a new {@code scim-ledger-checkpoint-v2} format for new checkpoints
 * only). The expected values were computed independently of the Java code by
 * {@code src/test/independent/chain_pins.py} (Python hashlib and {@code cryptography}) and checked with
 * {@code openssl pkeyutl -sign -rawin}. The key pair is RFC 8032 section 7.1 TEST 1, a published test key: never
 * configure it anywhere.
 */
class CheckpointPinTest {

    private static final HexFormat HEX = HexFormat.of();

    /** RFC 8032 TEST 1 secret key as PKCS#8 DER, base64 (the form scim.audit.checkpoint-key takes). */
    static final String PRIVATE_KEY = "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g";
    /** Its public key d75a9801...511a as X.509 SubjectPublicKeyInfo DER, base64 (scim.audit.checkpoint-public-key). */
    static final String PUBLIC_KEY = "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    static final String ROOT_1 = "8018fc184027561b84fc21bf03bd7500bca82e0bebac553d4c0bb898e94d8b3b";
    static final String ROOT_2 = "bf90f11eb0209fc743f1005980f83f842e8a0d8969ec60f2b371d0316fdb430b";

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** First checkpoint: prev root is 32 zero bytes; positions as 8 bytes big-endian, including one above 2^32. */
    @Test
    void rangeRootOfAKnownListOfEventHashes() throws Exception {
        // the event hashes of the range, as stored
        assertEquals(
                "ce36863f51b6baf9d16397ffb3e9af506b284a816f72d487e55943c1fd974d6d", HEX.formatHex(sha256("event-1")));
        RangeRoot first = new RangeRoot(new byte[32]);
        first.add(1, HEX.parseHex("ce36863f51b6baf9d16397ffb3e9af506b284a816f72d487e55943c1fd974d6d"));
        first.add(2, HEX.parseHex("b4e3d14e7519279e6a352f776d75a905a9de9a27efdb6d802fe4e700224ade2e"));
        first.add(1000, HEX.parseHex("b8ac26dc53653b7e6c8097bcfc1553f78535323443bde942a05be9fb9b346199"));
        first.add(4294967297L, HEX.parseHex("c63d99a0f85a3b32549171a05dfa2bbadcc2d1380a59d23af6ad8fd21e6e48e5"));
        assertEquals(ROOT_1, HEX.formatHex(first.digest()));

        // the next checkpoint chains the previous root
        RangeRoot second = new RangeRoot(HEX.parseHex(ROOT_1));
        second.add(4294967298L, sha256("event-4294967298"));
        assertEquals(ROOT_2, HEX.formatHex(second.digest()));
    }

    private static Checkpoint checkpoint(byte[] signature) {
        return new Checkpoint(
                12,
                "1042",
                3380,
                "1077",
                3512,
                132,
                HEX.parseHex(ROOT_2),
                HEX.parseHex(ROOT_1),
                Instant.parse("2026-11-28T19:40:01.123456Z"),
                "checkpoint-1",
                signature);
    }

    /** The signed message: UTF-8, LF between lines, no trailing newline. */
    @Test
    void signedTextOfAKnownCheckpoint() {
        String expected = "scim-ledger-checkpoint-v1\n"
                + "id=12\n"
                + "from=1042:3380\n"
                + "to=1077:3512\n"
                + "count=132\n"
                + "prev=8018fc184027561b84fc21bf03bd7500bca82e0bebac553d4c0bb898e94d8b3b\n"
                + "root=bf90f11eb0209fc743f1005980f83f842e8a0d8969ec60f2b371d0316fdb430b\n"
                + "created=2026-11-28T19:40:01.123456Z\n"
                + "key=checkpoint-1";
        assertEquals(expected, checkpoint(null).signedText());
        assertEquals(
                "7363696d2d6c65646765722d636865636b706f696e742d76310a69643d31320a66726f6d3d313034323a333338"
                        + "300a746f3d313037373a333531320a636f756e743d3133320a707265763d3830313866633138343032373536"
                        + "3162383466633231626630336264373530306263613832653062656261633535336434633062623839386539"
                        + "3464386233620a726f6f743d62663930663131656230323039666337343366313030353938306638336638"
                        + "3432653861306438393639656336306632623337316430333136666462343330620a637265617465643d32"
                        + "3032362d31312d32385431393a34303a30312e3132333435365a0a6b65793d636865636b706f696e742d31",
                HEX.formatHex(checkpoint(null).signedBytes()));
    }

    /** The signature the service writes for that checkpoint with the fixed key pair, and that it verifies. */
    @Test
    void ed25519SignatureOfAKnownCheckpoint() {
        CheckpointKeys keys = new CheckpointKeys();
        keys.privateKeyBase64 = Optional.of(PRIVATE_KEY);
        keys.publicKeyBase64 = Optional.of(PUBLIC_KEY);
        keys.keyId = "checkpoint-1";
        keys.load();
        assertTrue(keys.canSign(), "the fixed key pair loads and passes the start-up self-test");

        byte[] message = checkpoint(null).signedBytes();
        String expected = "pS9eZ67qWMHkrYE2b76chDuFmPfDyWgBc2a7A561/fFKNNUTwIX/xvWV+IYjXgmgPTM93uuCcFoLoEq44JhtBg==";
        assertEquals(expected, Base64.getEncoder().encodeToString(keys.sign(message)));
        assertTrue(keys.verify(message, Base64.getDecoder().decode(expected)));
        byte[] altered = new Checkpoint(
                        12,
                        "1042",
                        3380,
                        "1077",
                        3512,
                        131,
                        HEX.parseHex(ROOT_2),
                        HEX.parseHex(ROOT_1),
                        Instant.parse("2026-11-28T19:40:01.123456Z"),
                        "checkpoint-1",
                        null)
                .signedBytes();
        assertFalse(keys.verify(altered, Base64.getDecoder().decode(expected)), "count 131 instead of 132");
    }

    /** The JDK's Ed25519 is RFC 8032's: TEST 1 (empty message) gives the published signature. */
    @Test
    void jdkEd25519MatchesRfc8032() throws Exception {
        var key = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(PRIVATE_KEY)));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(new byte[0]);
        assertArrayEquals(
                HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a"
                        + "33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
                s.sign());
    }
}
