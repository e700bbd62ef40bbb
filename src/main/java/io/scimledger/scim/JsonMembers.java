package io.scimledger.scim;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The one rule for reading JSON member names from a request. RFC 7643 section 2.1 makes attribute names (and so the
 * members of every SCIM object: resources, PATCH operations, Bulk operations, search requests) case-insensitive.
 *
 * <p>Two members of one object whose names differ only in case (or are identical) are therefore ambiguous: which one
 * a reader picks decides what is applied, and another reader picking the other would record something else. So an
 * ambiguous request is refused as a whole ({@code 400 invalidSyntax}) by {@link #parseRequest(String)} before anything
 * reads it, and {@link #get(JsonNode, String)} is the only lookup: it refuses ambiguity as well, so code that reads a
 * tree that did not come through {@link #parseRequest(String)} (stringified JSON inside a value, say) cannot pick
 * one member silently either.
 */
public final class JsonMembers {

    /** Fails on a member name repeated with the same spelling, which Jackson would otherwise resolve to the last. */
    private static final ObjectReader STRICT_READER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .reader();

    private JsonMembers() {}

    /**
     * Parses a request body (or a JSON text found inside one) into a tree in which no object names a member twice.
     *
     * @throws ScimException 400 invalidSyntax for text that is not JSON or names a member twice
     */
    public static JsonNode parseRequest(String json) {
        JsonNode node;
        try {
            node = STRICT_READER.readTree(json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (message.startsWith("Duplicate field")) {
                throw new AmbiguousMemberException("the request is ambiguous: " + firstLine(message)
                        + " (member names are case-insensitive, RFC 7643 section 2.1)");
            }
            throw ScimException.invalidSyntax("the request body is not valid JSON: " + firstLine(message));
        }
        if (node != null) {
            requireUnambiguous(node, "");
        }
        return node;
    }

    /**
     * Fails when any object in the tree has two members whose names are equal ignoring case.
     *
     * @throws ScimException 400 invalidSyntax naming both spellings and where they are
     */
    public static void requireUnambiguous(JsonNode tree) {
        requireUnambiguous(tree, "");
    }

    private static void requireUnambiguous(JsonNode node, String where) {
        if (node.isObject()) {
            Map<String, String> seen = node.size() < 2 ? null : new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                if (seen != null) {
                    String other = seen.putIfAbsent(fold(member.getKey()), member.getKey());
                    if (other != null) {
                        throw ambiguous(where, other, member.getKey());
                    }
                }
                requireUnambiguous(
                        member.getValue(), where.isEmpty() ? member.getKey() : where + "." + member.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                requireUnambiguous(node.get(i), where + "[" + i + "]");
            }
        }
    }

    /**
     * The member called {@code name}, whatever the case of its spelling; null when there is none. A JSON null is
     * returned as a NullNode: callers decide whether null counts as absent.
     *
     * @throws ScimException 400 invalidSyntax when two members match
     */
    public static JsonNode get(JsonNode object, String name) {
        String actual = nameOf(object, name);
        return actual == null ? null : object.get(actual);
    }

    /**
     * The spelling under which {@code object} carries the member {@code name} (compared ignoring case); null when it
     * has none.
     *
     * @throws ScimException 400 invalidSyntax when two members match
     */
    public static String nameOf(JsonNode object, String name) {
        if (object == null || !object.isObject()) {
            return null;
        }
        String found = null;
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.equalsIgnoreCase(name)) {
                if (found != null) {
                    throw ambiguous("", found, key);
                }
                found = key;
            }
        }
        return found;
    }

    /** True when the two member names are the same name under the case-insensitive rule. */
    public static boolean sameName(String a, String b) {
        return a.equalsIgnoreCase(b);
    }

    private static String fold(String name) {
        // Matches String.equalsIgnoreCase for every name the SCIM schemas use (ASCII); toUpperCase then toLowerCase
        // also folds the few characters whose case mapping is not one-to-one.
        return name.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }

    private static ScimException ambiguous(String where, String first, String second) {
        String place = where.isEmpty() ? "" : " in '" + where + "'";
        return new AmbiguousMemberException("the request is ambiguous: it names '" + first + "' and '" + second + "'"
                + place + ", which are the same member (member names are case-insensitive, RFC 7643 section 2.1)");
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** A request (or JSON text inside one) that names one member twice: 400 invalidSyntax. */
    public static final class AmbiguousMemberException extends ScimException {
        AmbiguousMemberException(String detail) {
            super(400, "invalidSyntax", detail);
        }
    }
}
