package io.scimledger.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.JsonSupport;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Sealing a resource: personal attributes become ciphertexts bound to their person, the rest stays readable. */
class PersonalDataCipherTest {

    static DataKey key(UUID subject) {
        byte[] raw = new byte[32];
        new java.security.SecureRandom().nextBytes(raw);
        return new DataKey(subject, new SecretKeySpec(raw, "AES"));
    }

    @Test
    void resourceRoundTripsAndPersonalAttributesAreSealed() throws Exception {
        DataKey k = key(UUID.randomUUID());
        ObjectNode user = (ObjectNode) JsonSupport.MAPPER.readTree("""
                {"userName":"ada@example.com","title":"Countess","name":{"familyName":"Lovelace"},
                 "emails":[{"value":"ada@example.com"}]}""");
        ObjectNode sealed = PersonalDataCipher.sealResource(ScimSchemas.USER_TYPE, user, k);
        assertFalse(sealed.toString().contains("ada@example.com"));
        assertFalse(sealed.toString().contains("Lovelace"));
        assertEquals("Countess", sealed.get("title").asText());
        assertEquals(user, PersonalDataCipher.openObject(sealed, Optional.of(k)));
        // without the key (an erased person) the personal attributes are simply gone
        ObjectNode erased = PersonalDataCipher.openObject(sealed, Optional.empty());
        assertEquals("Countess", erased.get("title").asText());
        assertFalse(erased.has("userName") || erased.has("emails") || erased.has("name"));
        // a ciphertext is bound to its subject
        assertThrows(
                IllegalStateException.class,
                () -> PersonalDataCipher.openObject(sealed, Optional.of(new DataKey(UUID.randomUUID(), k.key()))));
    }

    @Test
    void unchangedPersonalValuesKeepTheirCiphertextSoReadersDecryptThemOnce() throws Exception {
        DataKey k = key(UUID.randomUUID());
        ObjectNode v1 = (ObjectNode) JsonSupport.MAPPER.readTree("""
                {"userName":"ada@example.com","name":{"familyName":"Lovelace"},"title":"Countess"}""");
        ObjectNode sealed1 = PersonalDataCipher.sealResource(ScimSchemas.USER_TYPE, v1, k);
        ObjectNode v2 = v1.deepCopy();
        v2.putObject("name").put("familyName", "King");
        ObjectNode sealed2 = PersonalDataCipher.sealResource(ScimSchemas.USER_TYPE, v2, k, sealed1, v1);
        assertEquals(sealed1.get("userName"), sealed2.get("userName"), "unchanged value: same ciphertext");
        assertFalse(sealed1.get("name").equals(sealed2.get("name")), "changed value: new ciphertext");
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> memo = new java.util.HashMap<>();
        assertEquals(v1, PersonalDataCipher.open(sealed1, Optional.of(k), memo));
        assertEquals(v2, PersonalDataCipher.open(sealed2, Optional.of(k), memo));
        assertEquals(3, memo.size(), "userName decrypted once for both events");
    }
}
