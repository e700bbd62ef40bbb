package io.scimledger.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.JsonSupport;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.ResolvedAttribute;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
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

    private PersonalDataCipher() {
    }

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
    public static ObjectNode sealResource(ResourceTypeDefinition type, ObjectNode resource, DataKey key,
                                          ObjectNode previousSealed, ObjectNode previousClear) {
        ObjectNode out = resource.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = resource.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Optional<ResolvedAttribute> attr = type.find(new AttributePath(null, field.getKey(), null));
            if (attr.isPresent() && attr.get().attribute().personal()) {
                JsonNode carried = previousSealed == null || previousClear == null ? null
                        : previousSealed.get(field.getKey());
                boolean unchanged = carried != null && carried.isObject() && carried.has(SEALED)
                        && field.getValue().equals(previousClear.get(field.getKey()));
                out.set(field.getKey(), unchanged ? carried.deepCopy() : seal(field.getValue(), key));
            } else if (type.extension(field.getKey()).isPresent() && field.getValue().isObject()) {
                ObjectNode ext = (ObjectNode) out.get(field.getKey());
                for (AttributeDefinition a : type.extension(field.getKey()).get().attributes()) {
                    if (a.personal() && ext.has(a.name())) {
                        ext.set(a.name(), seal(ext.get(a.name()), key));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Seals the values of PATCH operations before they are logged. A value is left readable only when its path
     * names a known attribute that is not personal; anything else (personal, unknown, no-path objects' personal
     * keys) is sealed, so the log never keeps personal data in clear by accident.
     */
    public static ArrayNode sealOperations(ResourceTypeDefinition type, ArrayNode operations, DataKey key) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode op : operations) {
            if (!op.isObject()) {
                out.add(op.deepCopy());
                continue;
            }
            ObjectNode copy = (ObjectNode) op.deepCopy();
            JsonNode path = fieldIgnoreCase(op, "path");
            String pathField = actualName(op, "path");
            // A value filter on a personal attribute (emails[value eq "ada@example.com"]) is personal data too.
            if (path != null && path.isTextual() && path.asText().indexOf('[') >= 0
                    && !isKnownNonPersonal(type, path.asText())) {
                copy.set(pathField, seal(path, key));
            }
            JsonNode value = fieldIgnoreCase(op, "value");
            String valueField = actualName(op, "value");
            if (value == null) {
                out.add(copy);
                continue;
            }
            if (path != null && path.isTextual()) {
                copy.set(valueField, isKnownNonPersonal(type, path.asText()) ? value.deepCopy() : seal(value, key));
            } else if (value.isObject()) {
                ObjectNode sealedValue = JsonNodeFactory.instance.objectNode();
                value.fields().forEachRemaining(f -> sealedValue.set(f.getKey(),
                        isKnownNonPersonal(type, f.getKey()) ? f.getValue().deepCopy() : seal(f.getValue(), key)));
                copy.set(valueField, sealedValue);
            } else {
                copy.set(valueField, seal(value, key));
            }
            out.add(copy);
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
                return memo.computeIfAbsent(ciphertext, c -> decrypt(c, key.get())).deepCopy();
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
        List<JsonNode> children = new ArrayList<>();
        node.elements().forEachRemaining(children::add);
        return children.stream().anyMatch(PersonalDataCipher::containsSealed);
    }

    static ObjectNode seal(JsonNode value, DataKey key) {
        byte[] plain = value.toString().getBytes(StandardCharsets.UTF_8);
        byte[] sealed = Aead.encrypt(key.key(), plain, associatedData(key.subject()));
        return JsonNodeFactory.instance.objectNode().put(SEALED, Base64.getEncoder().encodeToString(sealed));
    }

    private static JsonNode decrypt(String base64, DataKey key) {
        byte[] plain = Aead.decrypt(key.key(), Base64.getDecoder().decode(base64), associatedData(key.subject()));
        try {
            return JsonSupport.MAPPER.readTree(plain);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("sealed value is not JSON", e);
        }
    }

    private static String associatedData(UUID subject) {
        return "personal-data:" + subject;
    }

    private static boolean isKnownNonPersonal(ResourceTypeDefinition type, String pathText) {
        try {
            String attrPart = pathText;
            int bracket = attrPart.indexOf('[');
            if (bracket >= 0) {
                attrPart = attrPart.substring(0, bracket);
            }
            AttributePath p = AttributePath.parse(attrPart);
            if (p.attribute() == null) {
                return false;
            }
            return type.find(new AttributePath(p.schemaUrn(), p.attribute(), null))
                    .map(r -> !r.attribute().personal() && !"password".equals(r.attribute().name()))
                    .orElse(false);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static JsonNode fieldIgnoreCase(JsonNode obj, String name) {
        String actual = actualName(obj, name);
        return actual == null ? null : obj.get(actual);
    }

    private static String actualName(JsonNode obj, String name) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (n.equalsIgnoreCase(name)) {
                return n;
            }
        }
        return null;
    }
}
