package io.scimledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Attribute-by-attribute difference between two (opened) stored-form states of a resource, for the auditor's
 * history. Attributes are flattened one level: a single-valued complex attribute becomes {@code name.givenName},
 * an extension's attribute becomes {@code <extension URN>:<attribute>} (as SCIM writes attribute paths); multi-valued
 * attributes ({@code emails}, ...) are compared as a whole. {@code schemas} is not reported. A missing state (before
 * creation, after deletion) counts as "every attribute absent".
 */
public final class StateDiff {

    private StateDiff() {}

    /** [{"attribute", "before", "after"}...] sorted by attribute; before/after are null when absent. */
    public static ArrayNode changes(ObjectNode before, ObjectNode after) {
        return changes(flatten(before), flatten(after));
    }

    /** {@link #changes(ObjectNode, ObjectNode)} of states already {@link #flatten flattened}. */
    static ArrayNode changes(Map<String, JsonNode> b, Map<String, JsonNode> a) {
        TreeMap<String, Boolean> names = new TreeMap<>();
        b.keySet().forEach(k -> names.put(k, true));
        a.keySet().forEach(k -> names.put(k, true));
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (String name : names.keySet()) {
            JsonNode bv = b.get(name);
            JsonNode av = a.get(name);
            if (!Objects.equals(bv, av)) {
                ObjectNode c = out.addObject();
                c.put("attribute", name);
                c.set("before", bv == null ? NullNode.getInstance() : bv);
                c.set("after", av == null ? NullNode.getInstance() : av);
            }
        }
        return out;
    }

    static Map<String, JsonNode> flatten(ObjectNode state) {
        Map<String, JsonNode> out = new TreeMap<>();
        if (state == null) {
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = state.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            JsonNode v = f.getValue();
            if ("schemas".equals(key) || v == null || v.isNull()) {
                continue;
            }
            if (v.isObject() && v.size() > 0) {
                String separator = key.startsWith("urn:") ? ":" : ".";
                v.fields().forEachRemaining(sub -> {
                    if (sub.getValue() != null && !sub.getValue().isNull()) {
                        out.put(key + separator + sub.getKey(), sub.getValue());
                    }
                });
            } else {
                out.put(key, v);
            }
        }
        return out;
    }
}
