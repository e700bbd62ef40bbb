package io.scimledger.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The display a client sent with a group member, in a GroupMembersAdded payload. A Group has no data key, and a
 * member's display is often the member user's email, so it is sealed under the MEMBER's data key; erasing that user
 * makes it unreadable like the rest of their data. A Group member's display is a group name, not personal, and stays
 * in clear. Readers of the log open it here, member by member, before the usual per-stream opening (which would
 * drop it: the group's stream has no key).
 */
public final class MemberDisplays {

    private MemberDisplays() {}

    /** The payload's members[].display opened with each member's key; dropped where that key no longer exists. */
    public static ObjectNode open(ObjectNode payload, Function<UUID, Optional<DataKey>> keyOfMember) {
        JsonNode members = payload.get("members");
        if (members == null || !members.isArray() || !PersonalDataCipher.containsSealed(members)) {
            return payload;
        }
        ObjectNode out = payload.deepCopy();
        for (JsonNode m : (ArrayNode) out.get("members")) {
            JsonNode display = m.get("display");
            if (m.isObject() && display != null && PersonalDataCipher.containsSealed(display)) {
                JsonNode opened = PersonalDataCipher.open(
                        display,
                        keyOfMember.apply(UUID.fromString(m.path("value").asText())));
                if (opened == null || !opened.isTextual()) {
                    ((ObjectNode) m).remove("display");
                } else {
                    ((ObjectNode) m).set("display", opened);
                }
            }
        }
        return out;
    }
}
