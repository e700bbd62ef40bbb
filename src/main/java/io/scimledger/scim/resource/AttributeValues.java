package io.scimledger.scim.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.TextGuard;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributeType;
import io.scimledger.scim.schema.Mutability;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Coerces one attribute value as clients send it into stored form, driven by its {@link AttributeDefinition}.
 * Shared by {@link ResourceNormalizer} (POST/PUT, and Bulk through the writers) and the PATCH engine so all accept
 * exactly the same shapes. A value whose JSON type does not fit the schema is 400 invalidValue (RFC 7644 sections
 * 3.5.2 and 3.12), for every type; the only tolerated shapes are the ones docs/compatibility.md lists with the
 * client that sends them:
 * <ul>
 *   <li>null, {@code $ref: null}, empty arrays and empty objects are absent (returned as Java null);</li>
 *   <li>booleans accept the strings "true"/"false" in any case (Entra 2 sends "False");</li>
 *   <li>a single object where a multi-valued complex attribute is expected is wrapped (OneLogin emails);</li>
 *   <li>a bare string for a single-valued complex attribute with a {@code value} sub-attribute becomes
 *       {"value": ...} (Entra 7, the enterprise manager);</li>
 *   <li>stringified JSON for complex attributes is parsed (Entra 8, roles from AppRoleAssignmentsComplex);</li>
 *   <li>sub-attribute names are matched case-insensitively and rewritten canonically (Entra 14 "Primary");</li>
 *   <li>unknown and read-only sub-attributes are dropped.</li>
 * </ul>
 * Everything else is exact: strings, references and binaries must be JSON strings, integers and decimals JSON
 * numbers, dateTimes strings in xsd:dateTime form, complex values objects. Canonical values (emails.type ...) are
 * deliberately not enforced.
 */
public final class AttributeValues {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AttributeValues() {}

    /** True for what the input rules treat as "not given": missing, null, [] and {}. */
    public static boolean isAbsent(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode() || (value.isContainerNode() && value.isEmpty());
    }

    /**
     * Coerces the value of an attribute or sub-attribute.
     *
     * @param path    the canonical path, for error messages
     * @param ignored where to note dropped unknown or read-only sub-attributes (may be null)
     * @return the stored-form value, or null when the value counts as absent
     */
    public static JsonNode coerce(AttributeDefinition def, JsonNode value, String path, List<String> ignored) {
        if (isAbsent(value)) {
            return null;
        }
        return def.multiValued() ? coerceMulti(def, value, path, ignored) : coerceSingle(def, value, path, ignored);
    }

    /** Coerces one element of a multi-valued attribute; null when it is absent. */
    public static JsonNode coerceElement(AttributeDefinition def, JsonNode element, String path, List<String> ignored) {
        if (isAbsent(element)) {
            return null;
        }
        if (!def.isComplex()) {
            return coerceSimple(def, element, path);
        }
        JsonNode e = element;
        if (e.isTextual()) {
            // Entra 8: a whole element sent as stringified JSON; any other bare string is not a complex value
            JsonNode parsed = parseJsonContainer(e.asText());
            if (parsed != null && parsed.isObject()) {
                e = unwrapStringified(def, (ObjectNode) parsed, null);
            }
        }
        if (!e.isObject()) {
            throw ScimException.invalidValue("attribute '" + path + "' must hold complex values (objects)");
        }
        return coerceComplexObject(def, (ObjectNode) e, path, ignored);
    }

    private static JsonNode coerceMulti(AttributeDefinition def, JsonNode value, String path, List<String> ignored) {
        JsonNode v = value;
        if (v.isTextual() && def.isComplex()) {
            JsonNode parsed = parseJsonContainer(v.asText());
            if (parsed != null) {
                v = parsed;
            }
        }
        ArrayNode in;
        if (v.isArray()) {
            in = (ArrayNode) v;
        } else if (v.isObject() && def.isComplex()) {
            in = NODES.arrayNode().add(v); // OneLogin: one object where an array is expected
        } else {
            throw wrongType(def, path);
        }
        ArrayNode out = NODES.arrayNode();
        for (JsonNode element : in) {
            for (JsonNode expanded : expandStringified(def, element)) {
                JsonNode c = coerceElement(def, expanded, path, ignored);
                if (c != null) {
                    out.add(c);
                }
            }
        }
        if (out.isEmpty()) {
            return null;
        }
        checkSinglePrimary(out, path);
        return out;
    }

    /** Fails with invalidValue when more than one element says primary: true (RFC 7643 section 2.4). */
    public static void checkSinglePrimary(ArrayNode values, String path) {
        int primaries = 0;
        for (JsonNode e : values) {
            if (e.isObject() && e.path("primary").asBoolean(false)) {
                primaries++;
            }
        }
        if (primaries > 1) {
            throw ScimException.invalidValue("attribute '" + path + "' has more than one primary value");
        }
    }

    /**
     * Entra (AppRoleAssignmentsComplex, SCIM-SDK #516) sends roles as
     * {@code {"value": "{\"id\":..,\"value\":\"Admin\",\"displayName\":\"Admin\"}"}}: the element's value is the
     * stringified element. Parse such a value (object or array of objects) into real elements.
     */
    private static List<JsonNode> expandStringified(AttributeDefinition def, JsonNode element) {
        if (!def.isComplex() || !element.isObject()) {
            return List.of(element);
        }
        JsonNode inner = JsonMembers.get(element, "value");
        if (inner == null || !inner.isTextual()) {
            return List.of(element);
        }
        JsonNode parsed = parseJsonContainer(inner.asText());
        if (parsed == null) {
            return List.of(element);
        }
        ObjectNode outer = ((ObjectNode) element).deepCopy();
        for (Iterator<String> it = outer.fieldNames(); it.hasNext(); ) {
            if (it.next().equalsIgnoreCase("value")) {
                it.remove();
            }
        }
        if (parsed.isObject()) {
            return List.of(unwrapStringified(def, (ObjectNode) parsed, outer));
        }
        java.util.ArrayList<JsonNode> out = new java.util.ArrayList<>();
        for (JsonNode p : parsed) {
            out.add(p.isObject() ? unwrapStringified(def, (ObjectNode) p, outer) : p);
        }
        return out;
    }

    /** A parsed stringified element: map displayName to display, let the outer element's sub-attributes win. */
    private static ObjectNode unwrapStringified(AttributeDefinition def, ObjectNode parsed, ObjectNode outer) {
        ObjectNode e = parsed.deepCopy();
        JsonNode displayName = JsonMembers.get(e, "displayName");
        if (displayName != null
                && def.subAttribute("displayName").isEmpty()
                && def.subAttribute("display").isPresent()
                && JsonMembers.get(e, "display") == null) {
            e.set("display", displayName);
        }
        if (outer != null) {
            e.setAll(outer);
        }
        return e;
    }

    private static JsonNode coerceSingle(AttributeDefinition def, JsonNode value, String path, List<String> ignored) {
        if (!def.isComplex()) {
            return coerceSimple(def, value, path);
        }
        JsonNode v = value;
        if (v.isTextual()) {
            JsonNode parsed = parseJsonContainer(v.asText());
            if (parsed != null && parsed.isObject()) {
                v = parsed;
            } else if (def.subAttribute("value").isPresent()) {
                // Entra sends the enterprise manager as a bare id
                v = NODES.objectNode().put("value", v.asText());
            }
        }
        if (!v.isObject()) {
            throw ScimException.invalidValue("attribute '" + path + "' must be a complex value (object)");
        }
        return coerceComplexObject(def, (ObjectNode) v, path, ignored);
    }

    /** Keeps known, writable sub-attributes in canonical spelling and schema order; null when nothing is left. */
    private static JsonNode coerceComplexObject(
            AttributeDefinition def, ObjectNode obj, String path, List<String> ignored) {
        ObjectNode collected = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            AttributeDefinition sub = def.subAttribute(e.getKey()).orElse(null);
            if (sub == null || sub.mutability() == Mutability.READ_ONLY) {
                if (ignored != null && !isAbsent(e.getValue())) {
                    ignored.add(path + "." + e.getKey());
                }
                continue;
            }
            JsonNode c = coerce(sub, e.getValue(), path + "." + sub.name(), ignored);
            if (c != null) {
                collected.set(sub.name(), c);
            }
        }
        if (collected.isEmpty()) {
            return null;
        }
        ObjectNode out = NODES.objectNode();
        for (AttributeDefinition sub : def.subAttributes()) {
            JsonNode v = collected.get(sub.name());
            if (v != null) {
                out.set(sub.name(), v);
            }
        }
        return out;
    }

    /** Coerces a value of a simple (non-complex) type. */
    public static JsonNode coerceSimple(AttributeDefinition def, JsonNode value, String path) {
        if (value.isContainerNode()) {
            throw wrongType(def, path);
        }
        AttributeType type = def.type();
        switch (type) {
            case STRING, REFERENCE, BINARY:
                if (value.isTextual()) {
                    return value;
                }
                throw wrongType(def, path);
            case BOOLEAN:
                if (value.isBoolean()) {
                    return value;
                }
                if (value.isTextual()) {
                    // Entra 2: "True"/"False" strings
                    String s = value.asText();
                    if (s.equalsIgnoreCase("true")) {
                        return BooleanNode.TRUE;
                    }
                    if (s.equalsIgnoreCase("false")) {
                        return BooleanNode.FALSE;
                    }
                }
                throw wrongType(def, path);
            case INTEGER:
                if (value.isIntegralNumber() && value.canConvertToLong()) {
                    return LongNode.valueOf(value.longValue());
                }
                throw wrongType(def, path);
            case DECIMAL:
                if (value.isNumber()) {
                    return value;
                }
                throw wrongType(def, path);
            case DATE_TIME:
                if (value.isTextual() && isDateTime(value.asText())) {
                    return value;
                }
                throw wrongType(def, path);
            default:
                throw wrongType(def, path);
        }
    }

    /** xsd:dateTime as RFC 7643 section 2.3.5 uses it: ISO-8601 with or without an offset. */
    static boolean isDateTime(String s) {
        try {
            OffsetDateTime.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            try {
                LocalDateTime.parse(s);
                return true;
            } catch (DateTimeParseException e2) {
                return false;
            }
        }
    }

    private static ScimException wrongType(AttributeDefinition def, String path) {
        String name = def.type().scimName();
        String what =
                def.isComplex() ? "a complex value" : ("aeiou".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name;
        return ScimException.invalidValue(
                "attribute '" + path + "' must be " + what + (def.multiValued() ? " (or an array of them)" : ""));
    }

    /** Parses text that looks like a JSON object or array; null when it is anything else. */
    static JsonNode parseJsonContainer(String text) {
        String t = text.trim();
        if (t.length() < 2 || !((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]")))) {
            return null;
        }
        JsonNode n;
        try {
            n = JsonMembers.parseRequest(t);
        } catch (JsonMembers.AmbiguousMemberException ambiguous) {
            throw ambiguous; // stringified JSON naming a member twice is as ambiguous as the body itself
        } catch (ScimException notJson) {
            return null;
        }
        if (n != null) {
            TextGuard.rejectNul(n); // "\\u0000" escaped inside the string becomes a NUL only here
        }
        return n != null && n.isContainerNode() ? n : null;
    }

    /** Equality used for "already present" and immutability: caseExact-aware for strings. */
    public static boolean sameValue(AttributeDefinition def, JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (!def.caseExact() && a.isTextual() && b.isTextual()) {
            return a.asText().toLowerCase(Locale.ROOT).equals(b.asText().toLowerCase(Locale.ROOT));
        }
        return a.equals(b);
    }
}
