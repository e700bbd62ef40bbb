package io.scimledger.scim.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.patch.PatchEngine.Target;
import io.scimledger.scim.resource.ResourceNormalizer;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.Mutability;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.SchemaDefinition;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The Operations of an applied PATCH request as the event log records them: the operations as sent, member names
 * in the client's spelling, with every value that the log must not keep in clear handed to a protector (for Users,
 * sealing under the person's data key). Which values those are is decided with the engine's own resolution
 * ({@link PatchEngine#resolvePath} and {@link PatchEngine#resolveValueKey}) and the one member-name rule
 * ({@link JsonMembers}), so the record says exactly which attribute each operation changed and can never judge a
 * value by another member than the one that was applied.
 *
 * <p>Kept in clear: {@code op}; {@code path} unless it holds a value filter on a personal attribute; values of known,
 * non-personal attributes and sub-attributes the engine writes. Protected: values of personal attributes, anything
 * the engine ignored (unknown or read-only keys, unknown sub-attributes, members of an operation other than op, path
 * and value), values whose shape the engine had to parse (stringified JSON). Replaced by {@value #REDACTED}: every
 * password, which is never kept in any form.
 */
public final class OperationRecord {

    public static final String REDACTED = "[redacted]";

    /**
     * Stands for a value left out of the record where no data key exists to seal it (Group operations): such values
     * are never applied (Group attributes hold no personal data), and the log must not keep what may be someone's.
     */
    public static JsonNode omitted(JsonNode value) {
        return NODES.objectNode().put("$omitted", true);
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ResourceTypeDefinition type;
    private final ArrayNode operations;

    OperationRecord(ResourceTypeDefinition type, ArrayNode operations) {
        this.type = type;
        this.operations = operations;
    }

    /**
     * The record of the operations, with {@code protect} applied to every value the log may not keep in clear.
     * Only called for a request the engine applied, so every op and path here resolved when it was applied.
     */
    public ArrayNode forLog(UnaryOperator<JsonNode> protect) {
        ArrayNode out = NODES.arrayNode();
        for (JsonNode op : operations) {
            out.add(op.isObject() ? operation((ObjectNode) op, protect) : protect.apply(op));
        }
        return out;
    }

    private ObjectNode operation(ObjectNode op, UnaryOperator<JsonNode> protect) {
        JsonNode pathNode = JsonMembers.get(op, "path");
        String path =
                pathNode != null && pathNode.isTextual() ? pathNode.asText().trim() : "";
        ObjectNode out = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = op.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            String name = member.getKey();
            JsonNode v = member.getValue();
            if (JsonMembers.sameName(name, "op")) {
                out.set(name, v.deepCopy());
            } else if (JsonMembers.sameName(name, "path")) {
                out.set(name, pathRecord(path, v, protect));
            } else if (JsonMembers.sameName(name, "value")) {
                out.set(name, valueRecord(path, v, protect));
            } else {
                out.set(name, protect.apply(v)); // not part of the PATCH syntax: never applied, may be anything
            }
        }
        return out;
    }

    private JsonNode pathRecord(String path, JsonNode node, UnaryOperator<JsonNode> protect) {
        if (path.isEmpty() || type.knowsSchema(path)) {
            return node.deepCopy();
        }
        Target t = PatchEngine.resolvePath(type, path);
        // A value filter on a personal attribute (emails[value eq "ada@example.com"]) is personal data itself.
        return t.filter() != null && personal(t) ? protect.apply(node) : node.deepCopy();
    }

    private JsonNode valueRecord(String path, JsonNode value, UnaryOperator<JsonNode> protect) {
        if (path.isEmpty() || type.knowsSchema(path)) {
            SchemaDefinition scope =
                    path.isEmpty() ? null : type.extension(path).orElse(null);
            return valueObject(scope, value, protect);
        }
        return targetValue(PatchEngine.resolvePath(type, path), value, protect);
    }

    /** A no-path value (or one whose path names a whole schema): each key is judged as the engine resolved it. */
    private JsonNode valueObject(SchemaDefinition scope, JsonNode value, UnaryOperator<JsonNode> protect) {
        if (!value.isObject()) {
            return protect.apply(value);
        }
        ObjectNode out = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey().trim();
            if (scope == null && JsonMembers.sameName(key, "schemas")) {
                out.set(e.getKey(), schemasRecord(e.getValue(), protect));
            } else if (scope == null && type.knowsSchema(key)) {
                out.set(e.getKey(), valueObject(type.extension(key).orElse(null), e.getValue(), protect));
            } else {
                Optional<Target> t = PatchEngine.resolveValueKey(type, scope, key);
                out.set(
                        e.getKey(),
                        t.isPresent() ? targetValue(t.get(), e.getValue(), protect) : protect.apply(e.getValue()));
            }
        }
        return out;
    }

    private JsonNode targetValue(Target t, JsonNode value, UnaryOperator<JsonNode> protect) {
        if (ResourceNormalizer.isPassword(type, t.attribute())) {
            return TextNode.valueOf(REDACTED);
        }
        if (personal(t)) {
            return protect.apply(value);
        }
        AttributeDefinition attr = t.attribute().attribute();
        if (t.sub() != null || !attr.isComplex()) {
            return value.isContainerNode() ? protect.apply(value) : value.deepCopy();
        }
        if (value.isArray()) {
            ArrayNode out = NODES.arrayNode();
            value.forEach(element -> out.add(complexElement(attr, element, protect)));
            return out;
        }
        return complexElement(attr, value, protect);
    }

    /** One object of a non-personal complex attribute: writable known sub-attributes stay readable. */
    private static JsonNode complexElement(
            AttributeDefinition attr, JsonNode element, UnaryOperator<JsonNode> protect) {
        if (!element.isObject()) {
            return protect.apply(element); // a bare or stringified value the engine had to interpret
        }
        ObjectNode out = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = element.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Optional<AttributeDefinition> sub = attr.subAttribute(e.getKey());
            boolean readable = sub.isPresent()
                    && sub.get().mutability() != Mutability.READ_ONLY
                    && !sub.get().personal()
                    && !e.getValue().isContainerNode();
            out.set(e.getKey(), readable ? e.getValue().deepCopy() : protect.apply(e.getValue()));
        }
        return out;
    }

    private static JsonNode schemasRecord(JsonNode schemas, UnaryOperator<JsonNode> protect) {
        if (schemas.isArray()) {
            for (JsonNode s : schemas) {
                if (!s.isTextual() || !s.asText().startsWith("urn:")) {
                    return protect.apply(schemas);
                }
            }
            return schemas.deepCopy();
        }
        return protect.apply(schemas);
    }

    private static boolean personal(Target t) {
        return t.attribute().attribute().personal()
                || (t.sub() != null && t.sub().personal());
    }
}
