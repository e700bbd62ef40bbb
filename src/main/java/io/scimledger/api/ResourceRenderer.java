package io.scimledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.projection.Member;
import io.scimledger.projection.ResourceRow;
import io.scimledger.scim.schema.ScimSchemas;
import io.scimledger.write.ETags;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Turns projection rows into SCIM resources: schemas, id, attributes, groups or members, and meta. */
public final class ResourceRenderer {

    private ResourceRenderer() {}

    /** @param groups the user's groups, or null when not wanted (not read) */
    public static ObjectNode user(String baseUrl, ResourceRow row, List<Member> groups) {
        ObjectNode out = head(row.id(), row.doc(), ScimSchemas.USER_URN);
        if (groups != null && !groups.isEmpty()) {
            ArrayNode arr = out.putArray("groups");
            for (Member g : groups) {
                ObjectNode o =
                        arr.addObject().put("value", g.id().toString()).put("$ref", baseUrl + "/Groups/" + g.id());
                if (g.display() != null) {
                    o.put("display", g.display());
                }
                o.put("type", g.type());
            }
        }
        out.set("meta", meta("User", baseUrl + "/Users/" + row.id(), row.created(), row.lastModified(), row.version()));
        return out;
    }

    /**
     * @param members the group's members, or null when not wanted (not read). A group without members shows
     *                {@code "members": []} (docs/compatibility.md, "Empty multi-valued attributes"): clients that
     *                set [] check for it, and RFC 7643 section 2.5 makes [] and absent the same state.
     */
    public static ObjectNode group(String baseUrl, ResourceRow row, List<Member> members) {
        ObjectNode out = head(row.id(), row.doc(), ScimSchemas.GROUP_URN);
        if (members != null) {
            ArrayNode arr = out.putArray("members");
            for (Member m : members) {
                ObjectNode o = arr.addObject()
                        .put("value", m.id().toString())
                        .put("$ref", baseUrl + ("Group".equals(m.type()) ? "/Groups/" : "/Users/") + m.id());
                if (m.display() != null) {
                    o.put("display", m.display());
                }
                o.put("type", m.type());
            }
        }
        out.set(
                "meta",
                meta("Group", baseUrl + "/Groups/" + row.id(), row.created(), row.lastModified(), row.version()));
        return out;
    }

    private static ObjectNode head(UUID id, ObjectNode doc, String coreUrn) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode schemas = out.putArray("schemas");
        schemas.add(coreUrn);
        for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (name.startsWith("urn:")) {
                schemas.add(name);
            }
        }
        out.put("id", id.toString());
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getKey().equals("schemas")) {
                out.set(f.getKey(), f.getValue().deepCopy());
            }
        }
        return out;
    }

    private static ObjectNode meta(String type, String location, Instant created, Instant lastModified, long version) {
        return JsonNodeFactory.instance
                .objectNode()
                .put("resourceType", type)
                .put("created", created.toString())
                .put("lastModified", lastModified.toString())
                .put("location", location)
                .put("version", ETags.of(version));
    }
}
