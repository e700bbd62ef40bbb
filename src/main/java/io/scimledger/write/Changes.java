package io.scimledger.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.TreeSet;

/** The "notice" part of an event: which top-level attributes a write changed. */
final class Changes {

    private Changes() {
    }

    static ArrayNode changedAttributes(ObjectNode before, ObjectNode after) {
        TreeSet<String> names = new TreeSet<>();
        for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        for (Iterator<String> it = after.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        ArrayNode changed = JsonNodeFactory.instance.arrayNode();
        for (String name : names) {
            if ("schemas".equals(name)) {
                continue;
            }
            JsonNode a = before.get(name);
            JsonNode b = after.get(name);
            if (a == null ? b != null : !a.equals(b)) {
                changed.add(name);
            }
        }
        return changed;
    }
}
