package io.scimledger.write;

import io.scimledger.projection.ResourceQueries;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.patch.PatchEngine.MemberOperation;
import io.scimledger.scim.resource.ResourceNormalizer.MemberRef;
import io.vertx.mutiny.sqlclient.SqlClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a request's member operations (in order) into the members actually added and removed, touching only the
 * membership rows those operations name. Only a full replacement ("replace members", "remove members", PUT) reads
 * the whole member list, because only it depends on it.
 */
final class MembershipDelta {

    final Map<UUID, String> added = new LinkedHashMap<>();
    final Map<UUID, String> removed = new LinkedHashMap<>();
    /** For added members only: the display the client sent (the last one, if it named a member twice). */
    final Map<UUID, String> addedDisplays = new LinkedHashMap<>();

    private MembershipDelta() {}

    boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty();
    }

    static MembershipDelta resolve(
            SqlClient conn, ResourceQueries queries, String tenant, UUID groupId, List<MemberOperation> operations) {
        // Desired state per named member (true = member) after all operations, in request order.
        Map<UUID, Boolean> desired = new LinkedHashMap<>();
        Map<UUID, String> requestedType = new LinkedHashMap<>();
        Map<UUID, String> requestedDisplay = new LinkedHashMap<>();
        boolean replacesAll = false;
        for (MemberOperation op : operations) {
            switch (op.kind()) {
                case REMOVE_ALL, REPLACE_ALL -> {
                    desired.clear();
                    replacesAll = true;
                    if (op.kind() == MemberOperation.Kind.REPLACE_ALL) {
                        for (MemberRef m : op.members()) {
                            UUID id = memberId(m, true);
                            desired.put(id, true);
                            requestedType.put(id, m.type());
                            requestedDisplay.put(id, m.display());
                        }
                    }
                }
                case ADD -> {
                    for (MemberRef m : op.members()) {
                        UUID id = memberId(m, true);
                        desired.put(id, true);
                        requestedType.put(id, m.type());
                        requestedDisplay.put(id, m.display());
                    }
                }
                case REMOVE -> {
                    for (MemberRef m : op.members()) {
                        UUID id = memberId(m, false);
                        if (id != null) {
                            desired.put(id, false);
                        }
                    }
                }
            }
        }
        MembershipDelta delta = new MembershipDelta();
        Map<UUID, String> current = replacesAll
                ? queries.allMembers(conn, tenant, groupId)
                : queries.currentMembers(conn, tenant, groupId, desired.keySet());
        if (replacesAll) {
            current.forEach((id, type) -> {
                if (!Boolean.TRUE.equals(desired.get(id))) {
                    delta.removed.put(id, type);
                }
            });
        }
        List<UUID> toAdd = desired.entrySet().stream()
                .filter(e -> e.getValue() && !current.containsKey(e.getKey()))
                .map(Map.Entry::getKey)
                .toList();
        desired.forEach((id, member) -> {
            if (!member && current.containsKey(id)) {
                delta.removed.put(id, current.get(id));
            }
        });
        if (toAdd.contains(groupId)) {
            throw ScimException.invalidValue("a group cannot be a member of itself");
        }
        Map<UUID, String> actualTypes = queries.resourceTypesOf(conn, tenant, toAdd);
        for (UUID id : toAdd) {
            String type = actualTypes.get(id);
            if (type == null) {
                throw ScimException.invalidValue("member '" + id + "' is neither a User nor a Group of this tenant");
            }
            String asked = requestedType.get(id);
            if (asked != null && !asked.equalsIgnoreCase(type)) {
                throw ScimException.invalidValue("member '" + id + "' is a " + type + ", not a " + asked);
            }
            delta.added.put(id, type);
            if (requestedDisplay.get(id) != null) {
                delta.addedDisplays.put(id, requestedDisplay.get(id));
            }
        }
        return delta;
    }

    /** Member values are resource ids; an unknown or malformed one cannot be added, and removing it is a no-op. */
    private static UUID memberId(MemberRef ref, boolean mustExist) {
        try {
            return UUID.fromString(ref.value().trim());
        } catch (RuntimeException e) {
            if (mustExist) {
                throw ScimException.invalidValue(
                        "member '" + ref.value() + "' is neither a User nor a Group of this tenant");
            }
            return null;
        }
    }
}
