package io.scimledger.audit;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The Ed25519 key pair of the signed checkpoints (docs/decisions/0009). The private key (PKCS#8, base64) signs; the
 * public key (X.509 SubjectPublicKeyInfo, base64) verifies and is published at {@code GET /audit/checkpoints/key}.
 * The JDK cannot derive an Ed25519 public key from the private one, so both are configured; a start-up self-test
 * checks they belong together. Without a usable private key, checkpoints are not written (WARN, start-up continues);
 * with only the public key an instance can still verify.
 */
@ApplicationScoped
public class CheckpointKeys {

    private static final Logger LOG = Logger.getLogger(CheckpointKeys.class);
    static final String ALGORITHM = "Ed25519";

    @ConfigProperty(name = "scim.audit.checkpoint-key")
    Optional<String> privateKeyBase64;

    @ConfigProperty(name = "scim.audit.checkpoint-public-key")
    Optional<String> publicKeyBase64;

    @ConfigProperty(name = "scim.audit.checkpoint-key-id", defaultValue = "checkpoint-1")
    String keyId;

    private PrivateKey privateKey;
    private PublicKey publicKey;

    @PostConstruct
    void load() {
        try {
            KeyFactory kf = KeyFactory.getInstance(ALGORITHM);
            if (publicKeyBase64.filter(s -> !s.isBlank()).isPresent()) {
                publicKey = kf.generatePublic(new X509EncodedKeySpec(decode(publicKeyBase64.get())));
            }
            if (privateKeyBase64.filter(s -> !s.isBlank()).isPresent()) {
                PrivateKey candidate = kf.generatePrivate(new PKCS8EncodedKeySpec(decode(privateKeyBase64.get())));
                if (publicKey == null) {
                    LOG.warn("signed checkpoints DISABLED: scim.audit.checkpoint-key is set but "
                            + "scim.audit.checkpoint-public-key is not (both are needed)");
                } else if (!matches(candidate, publicKey)) {
                    LOG.error("signed checkpoints DISABLED: scim.audit.checkpoint-key and "
                            + "scim.audit.checkpoint-public-key are not one key pair");
                } else {
                    privateKey = candidate;
                }
            } else {
                LOG.warn("signed checkpoints DISABLED: scim.audit.checkpoint-key is not configured "
                        + "(docs/audit.md, section Signed checkpoints)");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            LOG.errorf("signed checkpoints DISABLED: the checkpoint key cannot be read: %s", e.getMessage());
            privateKey = null;
        }
    }

    private static byte[] decode(String b64) {
        return Base64.getMimeDecoder()
                .decode(b64.replaceAll("-----[A-Z ]+-----", "").trim());
    }

    private static boolean matches(PrivateKey priv, PublicKey pub) throws GeneralSecurityException {
        byte[] probe = "scim-ledger checkpoint key self-test".getBytes(StandardCharsets.UTF_8);
        return verify(pub, probe, sign(priv, probe));
    }

    public boolean canSign() {
        return privateKey != null;
    }

    public Optional<PublicKey> publicKey() {
        return Optional.ofNullable(publicKey);
    }

    public String keyId() {
        return keyId;
    }

    byte[] sign(byte[] message) {
        try {
            return sign(privateKey, message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a checkpoint", e);
        }
    }

    boolean verify(byte[] message, byte[] signature) {
        try {
            return verify(publicKey, message, signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] sign(PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature s = Signature.getInstance(ALGORITHM);
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    private static boolean verify(PublicKey key, byte[] message, byte[] signature) throws GeneralSecurityException {
        Signature s = Signature.getInstance(ALGORITHM);
        s.initVerify(key);
        s.update(message);
        try {
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    /** The public key as PEM (SubjectPublicKeyInfo), e.g. for {@code openssl pkeyutl -verify}. */
    public Optional<String> publicKeyPem() {
        return publicKey()
                .map(k -> "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(k.getEncoded())
                        + "\n-----END PUBLIC KEY-----\n");
    }
}
