package io.scimledger.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.JsonSupport;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The rebuild's streaming opener gives the JSON value the tree opener gives, for every shape a state can take. */
class SealedJsonTextTest {

    private static final Set<String> COLUMNS = Set.of("userName", "externalId", "active");

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JsonSupport.MAPPER.readTree(text);
    }

    /** Streams {@code sealed} (as the log's text) and checks it against the tree opener, with and without a key. */
    private static void assertSameAsTree(ObjectNode sealed, DataKey key) throws Exception {
        for (Optional<DataKey> k : java.util.List.of(Optional.of(key), Optional.<DataKey>empty())) {
            ObjectNode tree = PersonalDataCipher.openObject(sealed, k);
            SealedJsonText.Opened streamed = SealedJsonText.open(sealed.toString(), k, COLUMNS);
            assertNotNull(streamed, "a state of a usual shape is streamed");
            assertEquals(tree, json(streamed.json()), "key present: " + k.isPresent());
            for (String column : COLUMNS) {
                assertEquals(tree.get(column), streamed.fields().get(column), column);
            }
        }
    }

    @Test
    void aSealedUserOpensToTheSameValueAsTheTreeAndItsColumnsAreGivenBack() throws Exception {
        DataKey key = PersonalDataCipherTest.key(UUID.randomUUID());
        ObjectNode user = json("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com",
                 "externalId":"x-1","active":true,"title":"Countess \\"the first\\" \\u00e9\\u2603",
                 "name":{"familyName":"Lovelace","givenName":"Ada"},"displayName":"Ada",
                 "emails":[{"value":"ada@example.com","type":"work","primary":true},{"value":"a@b.c"}],
                 "phoneNumbers":[],"x509Certificates":[{"value":"MIIB"}],"ims":null,
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                   {"employeeNumber":"42","costCenter":"7","manager":{"value":"m"}},
                 "score":1.5,"big":100000000000000000000,"tiny":0.000010,"n":-7,"empty":{}}""");
        ObjectNode sealed = PersonalDataCipher.sealResource(ScimSchemas.USER_TYPE, user, key);
        assertTrue(PersonalDataCipher.containsSealed(sealed), "the test seals something");
        assertSameAsTree(sealed, key);
        SealedJsonText.Opened opened = SealedJsonText.open(sealed.toString(), Optional.of(key), COLUMNS);
        assertEquals("ada@example.com", opened.fields().get("userName").asText());
        assertEquals(user, json(opened.json()));
        // an erased person: personal values are gone from the text and from the columns
        SealedJsonText.Opened erased = SealedJsonText.open(sealed.toString(), Optional.empty(), COLUMNS);
        assertFalse(erased.json().contains("Lovelace") || erased.json().contains("$enc"));
        assertNull(erased.fields().get("userName"));
        assertTrue(erased.fields().get("active").asBoolean());
    }

    @Test
    void sealedValuesInsideArraysAndObjectsAreOpenedOrDroppedLikeTheTreeDoes() throws Exception {
        DataKey key = PersonalDataCipherTest.key(UUID.randomUUID());
        ObjectNode state = json("""
                {"a":[1,"two",null,false,{"b":[]}],"c":{"d":{"e":null}},"$enc2":{"$enc":"not sealed: two members",
                 "f":1},"g":{"x":1,"$enc":"second member: an ordinary object"}}""");
        state.set("userName", PersonalDataCipher.seal(JsonSupport.MAPPER.readTree("\"grace\""), key));
        state.withArray("a").add(PersonalDataCipher.seal(JsonSupport.MAPPER.readTree("{\"deep\":[1,2]}"), key));
        ((ObjectNode) state.get("c")).set("sealed", PersonalDataCipher.seal(json("{\"k\":\"v\"}"), key));
        // "$enc" first beside another member is not a sealed value; the tree opener copies it, the stream defers
        assertNull(SealedJsonText.open(state.toString(), Optional.of(key), COLUMNS));
        state.remove("$enc2");
        assertSameAsTree(state, key);
    }

    @Test
    void shapesTheStreamLeavesToTheTreeAreReportedNotGuessed() throws Exception {
        DataKey key = PersonalDataCipherTest.key(UUID.randomUUID());
        assertNull(SealedJsonText.open("{\"x\":{\"$enc\":7}}", Optional.of(key), COLUMNS), "not a string");
        assertNull(SealedJsonText.open("[1]", Optional.of(key), COLUMNS), "not an object");
        assertNull(SealedJsonText.open("{} {}", Optional.of(key), COLUMNS), "trailing content");
        assertThrows(
                IllegalStateException.class,
                () -> SealedJsonText.open(
                        "{\"x\":" + PersonalDataCipher.seal(JsonSupport.MAPPER.readTree("1"), key) + "}",
                        Optional.of(PersonalDataCipherTest.key(UUID.randomUUID())),
                        COLUMNS),
                "a ciphertext of another person does not open");
        JsonNode open = json(
                SealedJsonText.open("{\"x\":[]}", Optional.empty(), COLUMNS).json());
        assertEquals(json("{\"x\":[]}"), open);
    }
}
