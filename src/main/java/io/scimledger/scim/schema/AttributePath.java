package io.scimledger.scim.schema;

import io.scimledger.scim.ScimException;

/**
 * An attribute reference as RFC 7644 section 3.10 writes it: {@code [schemaUrn ":"] attribute ["." subAttribute]},
 * e.g. {@code name.givenName} or {@code urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value}.
 * Names are kept as written; resolving them against a schema is case-insensitive.
 *
 * @param schemaUrn    the schema URN when the path is URN-qualified, else null
 * @param attribute    the top-level attribute name
 * @param subAttribute the sub-attribute name, or null
 */
public record AttributePath(String schemaUrn, String attribute, String subAttribute) {

    public static AttributePath parse(String text) {
        if (text == null || text.isBlank()) {
            throw ScimException.invalidPath("empty attribute path");
        }
        String rest = text.trim();
        String urn = null;
        if (rest.regionMatches(true, 0, "urn:", 0, 4)) {
            int lastColon = rest.lastIndexOf(':');
            urn = rest.substring(0, lastColon);
            rest = rest.substring(lastColon + 1);
            if (rest.isEmpty()) {
                // "urn:...:User" alone names the whole extension; callers that accept it check attribute == null
                return new AttributePath(urn, null, null);
            }
        }
        String attr = rest;
        String sub = null;
        int dot = rest.indexOf('.');
        if (dot >= 0) {
            attr = rest.substring(0, dot);
            sub = rest.substring(dot + 1);
            if (sub.isEmpty() || sub.indexOf('.') >= 0) {
                throw ScimException.invalidPath("invalid attribute path: " + text);
            }
        }
        if (!isAttrName(attr) || (sub != null && !isAttrName(sub))) {
            throw ScimException.invalidPath("invalid attribute path: " + text);
        }
        return new AttributePath(urn, attr, sub);
    }

    /** RFC 7643 ATTRNAME: ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; "$ref" is also allowed. */
    public static boolean isAttrName(String s) {
        if (s.equals("$ref")) {
            return true;
        }
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (schemaUrn != null) {
            b.append(schemaUrn).append(':');
        }
        if (attribute != null) {
            b.append(attribute);
        }
        if (subAttribute != null) {
            b.append('.').append(subAttribute);
        }
        return b.toString();
    }
}
