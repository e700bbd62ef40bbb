package io.scimledger.scim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Text the database cannot hold: PostgreSQL refuses U+0000 in text and jsonb (SQLSTATE 22021), so a NUL that
 * reached a query would be a 500. Every place text enters the service (request bodies, stringified JSON inside
 * them, query parameters, headers) refuses it first with 400 invalidValue; no SCIM attribute can mean a NUL.
 */
public final class TextGuard {

    private TextGuard() {}

    public static boolean hasNul(CharSequence text) {
        if (text == null) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\u0000') {
                return true;
            }
        }
        return false;
    }

    /** The error every NUL gets, naming where it was found. */
    public static ScimException nulIn(String where) {
        return ScimException.invalidValue(where + " contains a NUL character (U+0000), which is not allowed");
    }

    /** Fails when any member name or string value of the tree holds a NUL. */
    public static void rejectNul(JsonNode node) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            if (hasNul(node.textValue())) {
                throw nulIn("the request body");
            }
            return;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (hasNul(e.getKey())) {
                    throw nulIn("the request body");
                }
                rejectNul(e.getValue());
            }
            return;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                rejectNul(element);
            }
        }
    }
}
