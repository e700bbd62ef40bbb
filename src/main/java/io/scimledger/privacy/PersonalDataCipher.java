package io.scimledger.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.JsonSupport;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.ResolvedAttribute;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Seals personal values for the event log and opens them again. A sealed value is the JSON object
 * {@code {"$enc": "<base64 nonce||ciphertext>"}} standing where the value was; everything else in the payload stays
 * readable, so the audit trail keeps "who changed which attribute when" after the person is erased.
 * Which attributes are personal is decided by the schema ({@link AttributeDefinition#personal()}).
 */
public final class PersonalDataCipher {

    public static final String SEALED = "$enc";

    private PersonalDataCipher() {}

    /** A copy of a stored-form resource with every personal attribute's value sealed. */
    public static ObjectNode sealResource(ResourceTypeDefinition type, ObjectNode resource, DataKey key) {
        return sealResource(type, resource, key, null, null);
    }

    /**
     * Like {@link #sealResource(ResourceTypeDefinition, ObjectNode, DataKey)}, but a personal attribute whose value
     * equals its value in {@code previousClear} keeps the ciphertext it has in {@code previousSealed}: readers that
     * replay a stream then decrypt each distinct value once (see {@link #open(JsonNode, Optional, Map)}), and the
     * log does not grow a new ciphertext for a value that did not change (the `changed` list says so already).
     */
    public static ObjectNode sealResource(
            ResourceTypeDefinition type,
            ObjectNode resource,
            DataKey key,
            ObjectNode previousSealed,
            ObjectNode previousClear) {
        ObjectNode out = resource.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = resource.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Optional<ResolvedAttribute> attr = type.find(new AttributePath(null, field.getKey(), null));
            if (attr.isPresent() && attr.get().attribute().personal()) {
                JsonNode carried =
                        previousSealed == null || previousClear == null ? null : previousSealed.get(field.getKey());
                boolean unchanged = carried != null
                        && carried.isObject()
                        && carried.has(SEALED)
                        && field.getValue().equals(previousClear.get(field.getKey()));
                out.set(field.getKey(), unchanged ? carried.deepCopy() : seal(field.getValue(), key));
            } else if (type.extension(field.getKey()).isPresent()
                    && field.getValue().isObject()) {
                ObjectNode ext = (ObjectNode) out.get(field.getKey());
                for (AttributeDefinition a :
                        type.extension(field.getKey()).get().attributes()) {
                    if (a.personal() && ext.has(a.name())) {
                        ext.set(a.name(), seal(ext.get(a.name()), key));
                    }
                }
            }
        }
        return out;
    }

    /** Replaces every sealed value with its plaintext; with no key (erased person) sealed values are dropped. */
    public static JsonNode open(JsonNode node, Optional<DataKey> key) {
        return open(node, key, null);
    }

    /**
     * {@link #open(JsonNode, Optional)} with a memo of ciphertext → plaintext, for readers that open many events of
     * one stream (the same ciphertext is carried from event to event while a value does not change).
     */
    public static JsonNode open(JsonNode node, Optional<DataKey> key, Map<String, JsonNode> memo) {
        if (node.isObject()) {
            if (node.size() == 1 && node.has(SEALED)) {
                if (key.isEmpty()) {
                    return null;
                }
                String ciphertext = node.get(SEALED).asText();
                if (memo == null) {
                    return decrypt(ciphertext, key.get());
                }
                return memo.computeIfAbsent(ciphertext, c -> decrypt(c, key.get()))
                        .deepCopy();
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode opened = open(f.getValue(), key, memo);
                if (opened != null) {
                    out.set(f.getKey(), opened);
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (JsonNode element : node) {
                JsonNode opened = open(element, key, memo);
                if (opened != null) {
                    out.add(opened);
                }
            }
            return out;
        }
        return node;
    }

    public static ObjectNode openObject(ObjectNode node, Optional<DataKey> key) {
        return (ObjectNode) open(node, key);
    }

    /** True if the tree holds at least one sealed value. */
    public static boolean containsSealed(JsonNode node) {
        if (node.isObject() && node.has(SEALED)) {
            return true;
        }
        // a plain loop: the rebuild asks this of every state it opens, and a list and a stream per node showed
        for (JsonNode child : node) {
            if (containsSealed(child)) {
                return true;
            }
        }
        return false;
    }

    /** Seals one value under the person's data key: {@code {"$enc": ...}} where the value was. */
    public static ObjectNode seal(JsonNode value, DataKey key) {
        byte[] plain = value.toString().getBytes(StandardCharsets.UTF_8);
        byte[] sealed = Aead.encrypt(key.key(), plain, associatedData(key.subject()));
        return JsonNodeFactory.instance
                .objectNode()
                .put(SEALED, Base64.getEncoder().encodeToString(sealed));
    }

    private static JsonNode decrypt(String base64, DataKey key) {
        try {
            return JsonSupport.MAPPER.readTree(decryptBytes(base64, key));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("sealed value is not JSON", e);
        }
    }

    /** A sealed value's plaintext: the JSON text of the value that was sealed (see {@link SealedJsonText}). */
    static String decryptText(String base64, DataKey key) {
        return new String(decryptBytes(base64, key), StandardCharsets.UTF_8);
    }

    private static byte[] decryptBytes(String base64, DataKey key) {
        return Aead.decrypt(key.key(), Base64.getDecoder().decode(base64), associatedData(key.subject()));
    }

    private static String associatedData(UUID subject) {
        return "personal-data:" + subject;
    }
}
