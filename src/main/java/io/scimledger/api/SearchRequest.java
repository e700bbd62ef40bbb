package io.scimledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.ScimSchemas;

/** RFC 7644 section 3.4.3 SearchRequest body, read leniently (key case, attributes as array or comma list). */
record SearchRequest(
        String filter,
        Integer startIndex,
        Integer count,
        String sortBy,
        String sortOrder,
        String attributes,
        String excludedAttributes,
        String cursor) {

    static SearchRequest parse(JsonNode body) {
        JsonNode schemas = field(body, "schemas");
        if (schemas != null && schemas.isArray() && schemas.size() > 0) {
            boolean ok = false;
            for (JsonNode s : schemas) {
                ok |= ScimSchemas.SEARCH_REQUEST_URN.equalsIgnoreCase(s.asText());
            }
            if (!ok) {
                throw ScimException.invalidSyntax(
                        "a search body must use the schema " + ScimSchemas.SEARCH_REQUEST_URN);
            }
        }
        return new SearchRequest(
                text(body, "filter"),
                integer(body, "startIndex"),
                integer(body, "count"),
                text(body, "sortBy"),
                text(body, "sortOrder"),
                list(body, "attributes"),
                list(body, "excludedAttributes"),
                text(body, "cursor"));
    }

    /** A member by the one name rule ({@link JsonMembers}); a JSON null counts as absent. */
    private static JsonNode field(JsonNode body, String name) {
        JsonNode v = JsonMembers.get(body, name);
        return v == null || v.isNull() ? null : v;
    }

    private static String text(JsonNode body, String name) {
        JsonNode v = field(body, name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw ScimException.invalidValue("'" + name + "' must be a string");
        }
        return v.asText();
    }

    private static Integer integer(JsonNode body, String name) {
        JsonNode v = field(body, name);
        if (v == null) {
            return null;
        }
        if (v.canConvertToInt() && v.isIntegralNumber()) {
            return v.intValue();
        }
        if (v.isTextual() && v.asText().matches("-?\\d{1,9}")) {
            return Integer.parseInt(v.asText());
        }
        throw ScimException.invalidValue("'" + name + "' must be an integer");
    }

    private static String list(JsonNode body, String name) {
        JsonNode v = field(body, name);
        if (v == null) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (!v.isArray()) {
            throw ScimException.invalidValue("'" + name + "' must be an array of attribute names");
        }
        StringBuilder b = new StringBuilder();
        for (JsonNode e : v) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(e.asText());
        }
        return b.toString();
    }
}
