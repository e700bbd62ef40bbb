package io.scimledger.scim.resource;

import static io.scimledger.scim.resource.AttributeValues.NODES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.Mutability;
import io.scimledger.scim.schema.ResolvedAttribute;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.SchemaDefinition;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a POST or PUT body into stored form: canonical names,
 * coerced values, nothing read-only, unknown or empty, no password and, for Groups, no members (returned
 * separately). Tolerates only the shapes docs/compatibility.md lists with the client that sends them (see
 * {@link AttributeValues}); any other value that does not fit the schema is 400 invalidValue (invalidSyntax for a
 * body that is not an object).
 */
public final class ResourceNormalizer {

    private ResourceNormalizer() {}

    /**
     * @param resource          the stored form
     * @param members           Group only: the members as sent; null when the body had no members attribute
     *                          (or members: null), an empty list for []
     * @param passwordSupplied  true when the body carried a non-null password (dropped, never stored)
     * @param ignoredAttributes what was dropped as unknown or read-only, as spelled in the body
     */
    public record NormalizedResource(
            ObjectNode resource, List<MemberRef> members, boolean passwordSupplied, List<String> ignoredAttributes) {}

    /**
     * A group member as the client named it. type is "User", "Group" or null when not given; display is what the
     * client sent as the member's display, or null.
     */
    public record MemberRef(String value, String type, String display) {
        public MemberRef(String value, String type) {
            this(value, type, null);
        }
    }

    public static NormalizedResource normalize(ResourceTypeDefinition type, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("the request body must be a JSON object");
        }
        Builder b = new Builder(type);
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            b.topLevel(e.getKey(), e.getValue());
        }
        return b.build();
    }

    /**
     * PUT: fails with 400 mutability when an immutable attribute (or immutable sub-attribute of a single-valued
     * complex attribute) that has a value in {@code existing} is changed or dropped by {@code replacement}.
     * Both are in stored form.
     */
    public static void checkImmutable(ResourceTypeDefinition type, ObjectNode existing, ObjectNode replacement) {
        for (SchemaDefinition schema : schemasOf(type)) {
            boolean ext = schema != type.schema();
            List<AttributeDefinition> attrs = new ArrayList<>(schema.attributes());
            if (!ext) {
                attrs.addAll(ScimSchemas.COMMON_ATTRIBUTES);
            }
            JsonNode oldContainer = ext ? JsonMembers.get(existing, schema.id()) : existing;
            JsonNode newContainer = ext ? JsonMembers.get(replacement, schema.id()) : replacement;
            for (AttributeDefinition attr : attrs) {
                if (attr.mutability() == Mutability.READ_ONLY) {
                    continue;
                }
                JsonNode oldValue = JsonMembers.get(oldContainer, attr.name());
                JsonNode newValue = JsonMembers.get(newContainer, attr.name());
                String path = ext ? schema.id() + ":" + attr.name() : attr.name();
                if (attr.mutability() == Mutability.IMMUTABLE) {
                    if (!AttributeValues.isAbsent(oldValue) && !AttributeValues.sameValue(attr, oldValue, newValue)) {
                        throw ScimException.mutability("attribute '" + path + "' is immutable");
                    }
                } else if (attr.isComplex() && !attr.multiValued() && oldValue != null && oldValue.isObject()) {
                    for (AttributeDefinition sub : attr.subAttributes()) {
                        if (sub.mutability() != Mutability.IMMUTABLE) {
                            continue;
                        }
                        JsonNode o = JsonMembers.get(oldValue, sub.name());
                        JsonNode n = JsonMembers.get(newValue, sub.name());
                        if (!AttributeValues.isAbsent(o) && !AttributeValues.sameValue(sub, o, n)) {
                            throw ScimException.mutability("attribute '" + path + "." + sub.name() + "' is immutable");
                        }
                    }
                }
            }
        }
    }

    /**
     * Parses group members as clients send them: an array of objects, or a single object (wrapped, the OneLogin rule
     * for multi-valued attributes). Each needs a non-blank string value; type, if given, must be User or Group (any
     * case); $ref is ignored; display is kept as the client sent it, when a string.
     *
     * @return null when the value is missing or null, else the members (empty for [])
     */
    public static List<MemberRef> parseMembers(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        JsonNode v = value;
        if (v.isObject()) {
            v = NODES.arrayNode().add(v);
        }
        if (!v.isArray()) {
            throw ScimException.invalidValue("members must be an array of objects with a 'value'");
        }
        List<MemberRef> out = new ArrayList<>();
        for (JsonNode element : v) {
            if (element == null || element.isNull()) {
                continue;
            }
            if (!element.isObject()) {
                throw ScimException.invalidValue("members must be objects with a 'value'");
            }
            JsonNode id = JsonMembers.get(element, "value");
            if (id == null || !id.isTextual() || id.asText().isBlank()) {
                throw ScimException.invalidValue("each member needs a non-blank string 'value'");
            }
            JsonNode t = JsonMembers.get(element, "type");
            String memberType = null;
            if (t != null && !t.isNull()) {
                String s = t.isTextual() ? t.asText().trim() : "";
                if (s.equalsIgnoreCase("User")) {
                    memberType = "User";
                } else if (s.equalsIgnoreCase("Group")) {
                    memberType = "Group";
                } else {
                    throw ScimException.invalidValue("member type must be 'User' or 'Group', got " + t);
                }
            }
            out.add(new MemberRef(id.asText().trim(), memberType, display(element)));
        }
        return out;
    }

    /**
     * The display a client sent with a member (Okta sends it); null when none or blank. Entra's non-standard
     * {@code displayName} (Entra 14) is not the SCIM sub-attribute and stays ignored.
     */
    private static String display(JsonNode element) {
        JsonNode d = JsonMembers.get(element, "display");
        if (d == null || d.isNull()) {
            return null;
        }
        if (!d.isTextual()) {
            throw ScimException.invalidValue("a member's 'display' must be a string");
        }
        return d.asText().isBlank() ? null : d.asText();
    }

    static List<SchemaDefinition> schemasOf(ResourceTypeDefinition type) {
        List<SchemaDefinition> all = new ArrayList<>();
        all.add(type.schema());
        all.addAll(type.extensions());
        return all;
    }

    /** True for the Group's members attribute, which is a separate relation and never part of stored form. */
    public static boolean isGroupMembers(ResourceTypeDefinition type, ResolvedAttribute r) {
        return !r.extension() && isGroupMembers(type, r.attribute());
    }

    /** {@code coreAttribute} is an attribute of the type's core schema (or a common attribute). */
    public static boolean isGroupMembers(ResourceTypeDefinition type, AttributeDefinition coreAttribute) {
        return type.schema().id().equals(ScimSchemas.GROUP_URN)
                && coreAttribute.name().equals("members");
    }

    /**
     * A copy of a stored resource without the values of extension schemas or attributes the type no longer has (a
     * tenant removed them from its schema). PATCH starts from this, so such values are not carried into the next
     * event, where they could no longer be sealed as personal; the earlier events keep them.
     */
    public static ObjectNode withoutUnregistered(ResourceTypeDefinition type, ObjectNode stored) {
        ObjectNode out = stored.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = out.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().regionMatches(true, 0, "urn:", 0, 4)) {
                continue;
            }
            Optional<SchemaDefinition> ext = type.extension(field.getKey());
            if (ext.isEmpty() || !(field.getValue() instanceof ObjectNode values)) {
                it.remove();
                continue;
            }
            for (Iterator<String> names = values.fieldNames(); names.hasNext(); ) {
                if (ext.get().attribute(names.next()).isEmpty()) {
                    names.remove();
                }
            }
            if (values.isEmpty()) {
                it.remove();
            }
        }
        if (out.get("schemas") instanceof ArrayNode schemas) {
            for (Iterator<JsonNode> it = schemas.elements(); it.hasNext(); ) {
                String urn = it.next().asText();
                if (!type.knowsSchema(urn)) {
                    it.remove();
                }
            }
        }
        return out;
    }

    /** The password: the one core attribute a client writes and the service never stores or returns. */
    public static boolean isWriteOnly(AttributeDefinition coreAttribute) {
        return coreAttribute.mutability() == Mutability.WRITE_ONLY;
    }

    /** True for a write-only core attribute (password): accepted, reported, never stored. */
    public static boolean isPassword(ResourceTypeDefinition type, ResolvedAttribute r) {
        return !r.extension() && isWriteOnly(r.attribute());
    }

    /** Collects one body; the core and each extension keep their values by canonical attribute name. */
    private static final class Builder {
        private final ResourceTypeDefinition type;
        private final Map<String, Map<String, JsonNode>> containers = new LinkedHashMap<>();
        private final List<String> ignored = new ArrayList<>();
        private List<MemberRef> members;
        private boolean passwordSupplied;

        Builder(ResourceTypeDefinition type) {
            this.type = type;
            for (SchemaDefinition s : schemasOf(type)) {
                containers.put(s.id(), new LinkedHashMap<>());
            }
        }

        void topLevel(String key, JsonNode value) {
            if (key.equalsIgnoreCase("schemas")) {
                if (value != null && value.isArray()) {
                    for (JsonNode urn : value) {
                        if (urn.isTextual() && !type.knowsSchema(urn.asText())) {
                            ignored.add(urn.asText());
                        }
                    }
                }
                return;
            }
            if (type.schema().id().equalsIgnoreCase(key)) {
                nested(type.schema(), key, value);
                return;
            }
            Optional<SchemaDefinition> ext = type.extension(key);
            if (ext.isPresent()) {
                nested(ext.get(), key, value);
                return;
            }
            AttributePath path;
            try {
                path = AttributePath.parse(key);
            } catch (ScimException e) {
                ignore(key, value);
                return;
            }
            Optional<ResolvedAttribute> r = type.find(path);
            if (r.isEmpty()) {
                ignore(key, value);
                return;
            }
            set(r.get(), value, key);
        }

        private void nested(SchemaDefinition schema, String key, JsonNode value) {
            if (AttributeValues.isAbsent(value)) {
                return;
            }
            if (!value.isObject()) {
                throw ScimException.invalidValue("'" + schema.id() + "' must be an object of its attributes");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                AttributePath inner;
                try {
                    inner = AttributePath.parse(e.getKey());
                } catch (ScimException ex) {
                    ignore(key + ":" + e.getKey(), e.getValue());
                    continue;
                }
                if (inner.schemaUrn() != null) {
                    ignore(key + ":" + e.getKey(), e.getValue());
                    continue;
                }
                Optional<ResolvedAttribute> r =
                        type.find(new AttributePath(schema.id(), inner.attribute(), inner.subAttribute()));
                if (r.isEmpty()) {
                    ignore(key + ":" + e.getKey(), e.getValue());
                } else {
                    set(r.get(), e.getValue(), key + ":" + e.getKey());
                }
            }
        }

        private void ignore(String asSent, JsonNode value) {
            if (!AttributeValues.isAbsent(value)) {
                ignored.add(asSent);
            }
        }

        private void set(ResolvedAttribute r, JsonNode value, String asSent) {
            AttributeDefinition attr = r.attribute();
            if (isPassword(type, r)) {
                // never stored, but typed like any attribute: a password that is not a string is invalidValue
                if (AttributeValues.coerce(attr, value, r.canonicalPath(), null) != null) {
                    passwordSupplied = true;
                }
                return;
            }
            if (isGroupMembers(type, r) && r.subAttribute() == null) {
                members = parseMembers(value);
                return;
            }
            if (attr.mutability() == Mutability.READ_ONLY
                    || (r.subAttribute() != null && r.subAttribute().mutability() == Mutability.READ_ONLY)
                    || isGroupMembers(type, r)) {
                ignore(asSent, value);
                return;
            }
            Map<String, JsonNode> container = containers.get(r.schema().id());
            if (r.subAttribute() != null) {
                // "name.givenName" used as a key: merge into the complex value
                if (attr.multiValued()) {
                    ignore(asSent, value);
                    return;
                }
                AttributeDefinition sub = r.subAttribute();
                JsonNode c = AttributeValues.coerce(sub, value, r.canonicalPath(), ignored);
                if (c == null) {
                    return;
                }
                JsonNode existing = container.get(attr.name());
                ObjectNode obj = existing != null && existing.isObject() ? (ObjectNode) existing : NODES.objectNode();
                obj.set(sub.name(), c);
                container.put(attr.name(), obj);
                return;
            }
            String path = r.canonicalPath();
            JsonNode c = AttributeValues.coerce(attr, value, path, ignored);
            if (c != null) {
                container.put(attr.name(), c);
            }
        }

        NormalizedResource build() {
            ObjectNode out = NODES.objectNode();
            ArrayNode schemas = out.putArray("schemas");
            schemas.add(type.schema().id());
            Map<String, JsonNode> core = containers.get(type.schema().id());
            checkRequired(type.schema(), core, false);
            for (AttributeDefinition a : ScimSchemas.COMMON_ATTRIBUTES) {
                putIfPresent(out, a, core);
            }
            for (AttributeDefinition a : type.schema().attributes()) {
                putIfPresent(out, a, core);
            }
            for (SchemaDefinition ext : type.extensions()) {
                Map<String, JsonNode> values = containers.get(ext.id());
                if (values.isEmpty()) {
                    continue;
                }
                checkRequired(ext, values, true);
                ObjectNode extNode = NODES.objectNode();
                for (AttributeDefinition a : ext.attributes()) {
                    putIfPresent(extNode, a, values);
                }
                schemas.add(ext.id());
                out.set(ext.id(), extNode);
            }
            return new NormalizedResource(
                    out,
                    members == null ? null : List.copyOf(members),
                    passwordSupplied,
                    Collections.unmodifiableList(ignored));
        }

        private static void putIfPresent(ObjectNode out, AttributeDefinition a, Map<String, JsonNode> values) {
            JsonNode v = values.get(a.name());
            if (v == null) {
                return;
            }
            if (a.isComplex() && !a.multiValued() && v.isObject()) {
                // sub-attribute keys may have been merged in body order: emit in schema order
                ObjectNode ordered = NODES.objectNode();
                for (AttributeDefinition sub : a.subAttributes()) {
                    if (v.has(sub.name())) {
                        ordered.set(sub.name(), v.get(sub.name()));
                    }
                }
                v = ordered;
            }
            out.set(a.name(), v);
        }

        private void checkRequired(SchemaDefinition schema, Map<String, JsonNode> values, boolean ext) {
            for (AttributeDefinition a : schema.attributes()) {
                if (!a.required() || a.mutability() == Mutability.READ_ONLY) {
                    continue;
                }
                if (isGroupMembers(type, new ResolvedAttribute(schema, ext, a, null))) {
                    continue;
                }
                JsonNode v = values.get(a.name());
                if (v == null || (v.isTextual() && v.asText().isBlank())) {
                    throw ScimException.invalidValue(
                            "attribute '" + (ext ? schema.id() + ":" : "") + a.name() + "' is required");
                }
            }
        }
    }
}
