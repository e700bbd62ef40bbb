package io.scimledger.privacy;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The key-encryption key. It comes from configuration (an environment variable or a secret store in production),
 * never from the database, so a database backup alone cannot decrypt anyone's personal data.
 */
@ApplicationScoped
public class MasterKey {

    private final SecretKey key;
    private final String id;

    public MasterKey(
            @ConfigProperty(name = "scim.crypto.master-key") Optional<String> base64Key,
            @ConfigProperty(name = "scim.crypto.master-key-id") String id) {
        String encoded = base64Key.orElseThrow(() -> new IllegalStateException(
                "scim.crypto.master-key (env SCIM_CRYPTO_MASTER_KEY) must be set to 32 random bytes in base64"));
        byte[] raw = Base64.getDecoder().decode(encoded.trim());
        if (raw.length != 32) {
            throw new IllegalStateException(
                    "scim.crypto.master-key must decode to 32 bytes (AES-256), got " + raw.length);
        }
        this.key = new SecretKeySpec(raw, "AES");
        this.id = id;
    }

    public String id() {
        return id;
    }

    byte[] wrap(byte[] dataKey, UUID subject) {
        return Aead.encrypt(key, dataKey, "data-key:" + subject);
    }

    byte[] unwrap(byte[] wrapped, UUID subject) {
        return Aead.decrypt(key, wrapped, "data-key:" + subject);
    }
}
