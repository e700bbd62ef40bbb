package io.scimledger.write;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.UUID;

/** Payloads of GroupMembersAdded / GroupMembersRemoved: only the members that changed. */
final class MembershipPayloads {

    private MembershipPayloads() {
    }

    static ObjectNode members(Map<UUID, String> membersWithTypes) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        ArrayNode members = payload.putArray("members");
        membersWithTypes.forEach((id, type) -> members.addObject().put("value", id.toString()).put("type", type));
        return payload;
    }

    /** The removal of one member from a group because the member itself went away ({@code reason} says how). */
    static ObjectNode removedBecause(UUID memberId, String memberType, String reason) {
        ObjectNode payload = members(Map.of(memberId, memberType));
        payload.put("reason", reason);
        return payload;
    }
}
