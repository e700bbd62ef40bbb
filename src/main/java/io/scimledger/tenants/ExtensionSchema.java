package io.scimledger.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributeJson;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.AttributeType;
import io.scimledger.scim.schema.DiscoverySchemas;
import io.scimledger.scim.schema.Mutability;
import io.scimledger.scim.schema.Returned;
import io.scimledger.scim.schema.SchemaDefinition;
import io.scimledger.scim.schema.ScimSchemas;
import io.scimledger.scim.schema.Uniqueness;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A schema extension a tenant registered for its Users or Groups (docs/tenants.md, "Custom schema extensions"), in
 * RFC 7643 section 7 form plus our {@code personal} flag. {@link #parse} is the one gate for what an administrator
 * sends: anything it refuses is a 400 before an event is written.
 *
 * @param resourceType "User" or "Group"
 */
public record ExtensionSchema(String resourceType, SchemaDefinition schema) {

    /** At most this many attributes (sub-attributes count) in one schema, and this many schemas per tenant. */
    public static final int MAX_ATTRIBUTES = 100;

    public static final int MAX_SCHEMAS = 20;
    /** The largest schema document accepted, in bytes of the request body. */
    public static final int MAX_BYTES = 64 * 1024;

    /**
     * A URN our attribute paths can carry: {@code urn:} then letters, digits and {@code . _ -}, colon separated. The
     * projection's SQL names the extension's jsonb key with it, so nothing else may appear.
     */
    private static final Pattern URN = Pattern.compile("urn:[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)+");

    private static final Set<String> TOP_MEMBERS =
            Set.of("schemas", "id", "name", "description", "attributes", "resourceType", "meta");
    private static final Set<String> ATTRIBUTE_MEMBERS = Set.of(
            "name",
            "type",
            "multiValued",
            "description",
            "required",
            "caseExact",
            "mutability",
            "returned",
            "uniqueness",
            "canonicalValues",
            "referenceTypes",
            "subAttributes",
            "personal");

    public String id() {
        return schema.id();
    }

    /**
     * Reads and checks a schema document.
     *
     * @param body the document as sent (its size is checked too)
     * @throws ScimException 400 invalidSyntax for a malformed document, invalidValue for a value we refuse (a name
     *                       that clashes with a core or enterprise attribute, a reserved URN, a limit)
     */
    public static ExtensionSchema parse(JsonNode body, int bodyBytes) {
        if (bodyBytes > MAX_BYTES) {
            throw ScimException.invalidValue(
                    "schema document is " + bodyBytes + " bytes; at most " + MAX_BYTES + " are accepted");
        }
        if (body == null || !body.isObject()) {
            throw ScimException.invalidSyntax("a schema must be a JSON object (RFC 7643 section 7)");
        }
        knownMembers(body, TOP_MEMBERS, "schema");
        String id = text(body, "id", true, 200, "schema");
        if (!URN.matcher(id).matches()) {
            throw ScimException.invalidValue("schema 'id' must be a URN such as "
                    + "urn:ietf:params:scim:schemas:extension:acme:2.0:User (letters, digits, '.', '_', '-' between "
                    + "colons): '" + id + "'");
        }
        if (reserved(id)) {
            throw ScimException.invalidValue("schema id '" + id + "' is reserved by SCIM or by this service");
        }
        String resourceType = text(body, "resourceType", false, 20, "schema");
        if (resourceType == null || resourceType.equalsIgnoreCase("User")) {
            resourceType = "User";
        } else if (resourceType.equalsIgnoreCase("Group")) {
            resourceType = "Group";
        } else {
            throw ScimException.invalidValue("schema 'resourceType' must be User or Group, not '" + resourceType + "'");
        }
        String lastSegment = id.substring(id.lastIndexOf(':') + 1);
        String name = text(body, "name", false, 200, "schema");
        String description = text(body, "description", false, 2000, "schema");
        JsonNode attrs = JsonMembers.get(body, "attributes");
        if (attrs == null || !attrs.isArray() || attrs.isEmpty()) {
            throw ScimException.invalidSyntax("schema 'attributes' must be a non-empty array of attribute definitions");
        }
        int[] count = {0};
        List<AttributeDefinition> parsed = attributes(attrs, null, count);
        for (AttributeDefinition a : parsed) {
            if (a.personal() && resourceType.equals("Group")) {
                // personal values are sealed under a person's data key; a Group has none
                throw ScimException.invalidValue(
                        "attribute '" + a.name() + "': 'personal' applies to User " + "extensions only");
            }
            String clash = clashWithCore(resourceType, a.name());
            if (clash != null) {
                throw ScimException.invalidValue("attribute '" + a.name() + "' clashes with the " + clash
                        + " attribute of the same name; choose another name");
            }
        }
        return new ExtensionSchema(
                resourceType,
                new SchemaDefinition(
                        id, name == null ? lastSegment : name, description == null ? "" : description, parsed));
    }

    /** A schema as stored in the log and the registry (written by {@link #toJson()}); trusted, not re-checked. */
    public static ExtensionSchema fromStored(JsonNode o) {
        List<AttributeDefinition> attrs = new ArrayList<>();
        o.path("attributes").forEach(a -> attrs.add(storedAttribute(a)));
        return new ExtensionSchema(
                o.path("resourceType").asText("User"),
                new SchemaDefinition(
                        o.path("id").asText(),
                        o.path("name").asText(),
                        o.path("description").asText(""),
                        attrs));
    }

    /** RFC 7643 section 7 form, with {@code resourceType} and each attribute's {@code personal}. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", schema.id())
                .put("name", schema.name())
                .put("description", schema.description())
                .put("resourceType", resourceType);
        ArrayNode attrs = o.putArray("attributes");
        schema.attributes().forEach(a -> attrs.add(attributeJson(a)));
        return o;
    }

    /**
     * Whether the name is a core or common attribute's. Those names are the ones a client writes unqualified
     * ({@code costCenter} alone means nothing, {@code userName} alone means the core one), so an extension reusing
     * them would make filters, PATCH paths and IdP mappings ambiguous. Enterprise attribute names stay allowed: they
     * are always written with their URN, and the issue's own example ({@code acme:2.0:User:costCenter}) reuses one.
     */
    private static String clashWithCore(String resourceType, String name) {
        for (AttributeDefinition a : ScimSchemas.COMMON_ATTRIBUTES) {
            if (a.name().equalsIgnoreCase(name)) {
                return "common";
            }
        }
        boolean user = resourceType.equals("User");
        if ((user ? ScimSchemas.USER : ScimSchemas.GROUP).attribute(name).isPresent()) {
            return "core " + resourceType;
        }
        return null;
    }

    private static boolean reserved(String id) {
        String lower = id.toLowerCase(Locale.ROOT);
        if (lower.startsWith("urn:ietf:params:scim:schemas:core:")
                || lower.startsWith("urn:ietf:params:scim:api:")
                || lower.startsWith("urn:scim-ledger:")) {
            return true;
        }
        List<SchemaDefinition> served = new ArrayList<>(ScimSchemas.all());
        served.addAll(DiscoverySchemas.all());
        return served.stream().anyMatch(s -> s.id().equalsIgnoreCase(id));
    }

    private static List<AttributeDefinition> attributes(JsonNode array, String parent, int[] count) {
        List<AttributeDefinition> out = new ArrayList<>();
        for (JsonNode a : array) {
            if (++count[0] > MAX_ATTRIBUTES) {
                throw ScimException.invalidValue(
                        "a schema holds at most " + MAX_ATTRIBUTES + " attributes (sub-attributes included)");
            }
            AttributeDefinition def = attribute(a, parent, count);
            if (out.stream().anyMatch(d -> d.name().equalsIgnoreCase(def.name()))) {
                throw ScimException.invalidValue("attribute '" + qualified(parent, def.name())
                        + "' is defined twice (names are compared ignoring case)");
            }
            out.add(def);
        }
        return out;
    }

    private static AttributeDefinition attribute(JsonNode a, String parent, int[] count) {
        if (!a.isObject()) {
            throw ScimException.invalidSyntax("each attribute definition must be a JSON object"
                    + (parent == null ? "" : " (in '" + parent + "')"));
        }
        String name = text(a, "name", true, 64, "attribute");
        if (name.equals("$ref") || !AttributePath.isAttrName(name)) {
            throw ScimException.invalidValue("attribute name '" + name + "' is not an RFC 7643 ATTRNAME (a letter, "
                    + "then letters, digits, '-' or '_')");
        }
        String where = qualified(parent, name);
        knownMembers(a, ATTRIBUTE_MEMBERS, "attribute '" + where + "'");
        String typeName = text(a, "type", true, 20, "attribute '" + where + "'");
        AttributeType type = null;
        for (AttributeType t : AttributeType.values()) {
            if (t.scimName().equalsIgnoreCase(typeName)) {
                type = t;
            }
        }
        if (type == null) {
            throw ScimException.invalidValue("attribute '" + where + "' has unknown type '" + typeName + "'; one of "
                    + "string, boolean, decimal, integer, dateTime, binary, reference, complex");
        }
        AttributeDefinition.Builder b = AttributeDefinition.builder(name, type);
        if (bool(a, "multiValued", where)) {
            b.multiValued();
        }
        if (bool(a, "required", where)) {
            b.required();
        }
        if (bool(a, "caseExact", where)) {
            b.caseExact();
        }
        if (bool(a, "personal", where)) {
            if (parent != null) {
                throw ScimException.invalidValue("'personal' belongs on the top-level attribute '" + parent
                        + "', not on its sub-attribute '" + name + "'");
            }
            b.personal();
        }
        String description = text(a, "description", false, 2000, "attribute '" + where + "'");
        if (description != null) {
            b.description(description);
        }
        String mutability = text(a, "mutability", false, 20, "attribute '" + where + "'");
        if (mutability != null) {
            Mutability m = named(Mutability.values(), mutability, Mutability::scimName, "mutability", where);
            if (m == Mutability.READ_ONLY || m == Mutability.WRITE_ONLY) {
                // nobody could ever set a readOnly extension value; writeOnly values would sit readable in the log
                throw ScimException.invalidValue("attribute '" + where + "': mutability '" + m.scimName()
                        + "' is not supported for extension attributes (readWrite or immutable)");
            }
            b.mutability(m);
        }
        String returned = text(a, "returned", false, 20, "attribute '" + where + "'");
        if (returned != null) {
            b.returned(named(Returned.values(), returned, Returned::scimName, "returned", where));
        }
        String uniqueness = text(a, "uniqueness", false, 20, "attribute '" + where + "'");
        if (uniqueness != null) {
            Uniqueness u = named(Uniqueness.values(), uniqueness, Uniqueness::scimName, "uniqueness", where);
            if (u != Uniqueness.NONE) {
                // advertising uniqueness we do not enforce would mislead the client
                throw ScimException.invalidValue("attribute '" + where + "': uniqueness '" + u.scimName()
                        + "' is not enforced for extension attributes; use 'none'");
            }
        }
        b.canonicalValues(strings(a, "canonicalValues", where).toArray(String[]::new));
        List<String> referenceTypes = strings(a, "referenceTypes", where);
        if (type == AttributeType.REFERENCE) {
            b.referenceTypes((referenceTypes.isEmpty() ? List.of("external") : referenceTypes).toArray(String[]::new));
        } else if (!referenceTypes.isEmpty()) {
            throw ScimException.invalidValue("attribute '" + where + "': referenceTypes apply to type reference only");
        }
        JsonNode subs = JsonMembers.get(a, "subAttributes");
        boolean hasSubs = subs != null && !subs.isNull() && !(subs.isArray() && subs.isEmpty());
        if (type == AttributeType.COMPLEX) {
            if (parent != null) {
                throw ScimException.invalidValue(
                        "attribute '" + where + "': a sub-attribute cannot be complex " + "(RFC 7643 section 2.3.8)");
            }
            if (!hasSubs || !subs.isArray()) {
                throw ScimException.invalidSyntax(
                        "complex attribute '" + where + "' needs 'subAttributes', a non-empty array");
            }
            b.subAttributes(attributes(subs, name, count).toArray(AttributeDefinition[]::new));
        } else if (hasSubs) {
            throw ScimException.invalidValue("attribute '" + where + "' of type " + type.scimName()
                    + " cannot have subAttributes (only complex attributes do)");
        }
        return b.build();
    }

    private static AttributeDefinition storedAttribute(JsonNode a) {
        AttributeType type = AttributeType.STRING;
        for (AttributeType t : AttributeType.values()) {
            if (t.scimName().equals(a.path("type").asText())) {
                type = t;
            }
        }
        AttributeDefinition.Builder b = AttributeDefinition.builder(
                        a.path("name").asText(), type)
                .description(a.path("description").asText(""));
        if (a.path("multiValued").asBoolean()) {
            b.multiValued();
        }
        if (a.path("required").asBoolean()) {
            b.required();
        }
        if (a.path("caseExact").asBoolean()) {
            b.caseExact();
        }
        if (a.path("personal").asBoolean()) {
            b.personal();
        }
        for (Mutability m : Mutability.values()) {
            if (m.scimName().equals(a.path("mutability").asText())) {
                b.mutability(m);
            }
        }
        for (Returned r : Returned.values()) {
            if (r.scimName().equals(a.path("returned").asText())) {
                b.returned(r);
            }
        }
        List<String> cv = new ArrayList<>();
        a.path("canonicalValues").forEach(v -> cv.add(v.asText()));
        b.canonicalValues(cv.toArray(String[]::new));
        List<String> rt = new ArrayList<>();
        a.path("referenceTypes").forEach(v -> rt.add(v.asText()));
        b.referenceTypes(rt.toArray(String[]::new));
        List<AttributeDefinition> subs = new ArrayList<>();
        a.path("subAttributes").forEach(s -> subs.add(storedAttribute(s)));
        b.subAttributes(subs.toArray(AttributeDefinition[]::new));
        return b.build();
    }

    static ObjectNode attributeJson(AttributeDefinition a) {
        return AttributeJson.of(a, true);
    }

    private static void knownMembers(JsonNode o, Set<String> known, String what) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (known.stream().noneMatch(k -> k.equalsIgnoreCase(n))) {
                throw ScimException.invalidSyntax("unknown member '" + n + "' in " + what + "; known: "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static String text(JsonNode o, String member, boolean required, int maxLength, String what) {
        JsonNode v = JsonMembers.get(o, member);
        if (v == null || v.isNull()) {
            if (required) {
                throw ScimException.invalidSyntax(what + " needs '" + member + "'");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw ScimException.invalidSyntax("'" + member + "' of " + what + " must be a non-empty string");
        }
        if (v.asText().length() > maxLength) {
            throw ScimException.invalidValue(
                    "'" + member + "' of " + what + " is longer than " + maxLength + " characters");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode o, String member, String where) {
        JsonNode v = JsonMembers.get(o, member);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ScimException.invalidSyntax("'" + member + "' of attribute '" + where + "' must be true or false");
        }
        return v.booleanValue();
    }

    private static List<String> strings(JsonNode o, String member, String where) {
        JsonNode v = JsonMembers.get(o, member);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray() || v.size() > 100) {
            throw ScimException.invalidSyntax(
                    "'" + member + "' of attribute '" + where + "' must be an array of at most 100 strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            if (!s.isTextual() || s.asText().isEmpty() || s.asText().length() > 200) {
                throw ScimException.invalidSyntax("'" + member + "' of attribute '" + where
                        + "' must hold non-empty strings of at most 200 characters");
            }
            out.add(s.asText());
        }
        return out;
    }

    private static <E> E named(
            E[] values, String text, java.util.function.Function<E, String> scimName, String member, String where) {
        for (E e : values) {
            if (scimName.apply(e).equalsIgnoreCase(text)) {
                return e;
            }
        }
        throw ScimException.invalidValue("attribute '" + where + "': unknown " + member + " '" + text + "'; one of "
                + String.join(
                        ", ", java.util.Arrays.stream(values).map(scimName).toList()));
    }

    private static String qualified(String parent, String name) {
        return parent == null ? name : parent + "." + name;
    }
}
