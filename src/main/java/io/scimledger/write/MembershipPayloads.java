package io.scimledger.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.UUID;

/** Payloads of GroupMembersAdded / GroupMembersRemoved: only the members that changed. */
final class MembershipPayloads {

    private MembershipPayloads() {}

    static ObjectNode members(Map<UUID, String> membersWithTypes) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        ArrayNode members = payload.putArray("members");
        membersWithTypes.forEach(
                (id, type) -> members.addObject().put("value", id.toString()).put("type", type));
        return payload;
    }

    /**
     * GroupMembersAdded with the displays the client sent: a User member's display sealed under that user's data key
     * ({@code sealFor} returns null when the user has no key, and the display is then not recorded), a Group member's
     * in clear (a group name). See docs/events.md and {@link io.scimledger.privacy.MemberDisplays}.
     *
     * @param clear true for the projector's copy (the display in clear), false for the log's
     */
    static ObjectNode added(
            Map<UUID, String> membersWithTypes,
            Map<UUID, String> displays,
            java.util.function.BiFunction<UUID, String, JsonNode> sealFor,
            boolean clear) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        ArrayNode members = payload.putArray("members");
        membersWithTypes.forEach((id, type) -> {
            ObjectNode m = members.addObject().put("value", id.toString()).put("type", type);
            String display = displays.get(id);
            if (display == null) {
                return;
            }
            if (clear || "Group".equals(type)) {
                m.put("display", display);
            } else {
                JsonNode sealed = sealFor.apply(id, display);
                if (sealed != null) {
                    m.set("display", sealed);
                }
            }
        });
        return payload;
    }

    /** The removal of one member from a group because the member itself went away ({@code reason} says how). */
    static ObjectNode removedBecause(UUID memberId, String memberType, String reason) {
        ObjectNode payload = members(Map.of(memberId, memberType));
        payload.put("reason", reason);
        return payload;
    }
}
