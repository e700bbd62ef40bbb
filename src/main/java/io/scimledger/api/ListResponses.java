package io.scimledger.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.projection.ResourceSearch;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.function.Function;

/** RFC 7644 section 3.4.2 ListResponse; the numbers are JSON numbers (Okta checks). */
final class ListResponses {

    private ListResponses() {}

    static <T> ObjectNode of(ResourceSearch.Page<T> page, Function<T, ObjectNode> render) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putArray("schemas").add(ScimSchemas.LIST_RESPONSE_URN);
        out.put("totalResults", page.totalResults());
        if (page.cursorPaging()) {
            // RFC 9865: cursor pages carry nextCursor (absent on the last page) instead of startIndex.
            if (page.nextCursor() != null) {
                out.put("nextCursor", page.nextCursor());
            }
        } else {
            out.put("startIndex", page.startIndex());
        }
        out.put("itemsPerPage", page.resources().size());
        ArrayNode resources = out.putArray("Resources");
        for (T r : page.resources()) {
            resources.add(render.apply(r));
        }
        return out;
    }
}
