package io.scimledger.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tenant's settings (docs/tenants.md, "Settings"). Everything that used to be a global list is per tenant here.
 *
 * @param strictMode                   unknown attributes or schemas are a 400 instead of being ignored and logged
 * @param groupPatchNoContentClients   OAuth client ids whose Group PATCH answers 204 (docs/compatibility.md)
 * @param entraGroupPatchNoContent     Group PATCH answers 204 for every token issued by Entra ID
 * @param uniqueGroupDisplayName       a second Group with the same displayName (ignoring case) is a 409
 * @param meEnabled                    /Me resolves the token's subject as a userName of the tenant
 * @param requestsPerSecond            admission control: sustained requests a second (0: the service default)
 * @param burst                        admission control: requests allowed at once above the rate (0: default)
 */
public record TenantSettings(
        boolean strictMode,
        List<String> groupPatchNoContentClients,
        boolean entraGroupPatchNoContent,
        boolean uniqueGroupDisplayName,
        boolean meEnabled,
        int requestsPerSecond,
        int burst) {

    public static final TenantSettings DEFAULTS = new TenantSettings(false, List.of(), true, false, false, 0, 0);

    private static final Set<String> NAMES = Set.of(
            "strictMode",
            "groupPatchNoContentClients",
            "entraGroupPatchNoContent",
            "uniqueGroupDisplayName",
            "meEnabled",
            "requestsPerSecond",
            "burst");

    public TenantSettings {
        groupPatchNoContentClients = List.copyOf(groupPatchNoContentClients);
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("strictMode", strictMode);
        ArrayNode clients = o.putArray("groupPatchNoContentClients");
        groupPatchNoContentClients.forEach(clients::add);
        o.put("entraGroupPatchNoContent", entraGroupPatchNoContent);
        o.put("uniqueGroupDisplayName", uniqueGroupDisplayName);
        o.put("meEnabled", meEnabled);
        o.put("requestsPerSecond", requestsPerSecond);
        o.put("burst", burst);
        return o;
    }

    /** Reads settings as stored (a missing name keeps its default, so older events stay readable). */
    public static TenantSettings fromStored(JsonNode o) {
        return DEFAULTS.with(o, false);
    }

    /**
     * These settings with the members of {@code changes} applied (a partial object, as PATCH sends it).
     *
     * @throws ScimException 400 for an unknown name or a value of the wrong type
     */
    public TenantSettings with(JsonNode changes) {
        return with(changes, true);
    }

    private TenantSettings with(JsonNode changes, boolean strict) {
        if (changes == null || !changes.isObject()) {
            if (strict) {
                throw ScimException.invalidSyntax("settings must be a JSON object");
            }
            return this;
        }
        if (strict) {
            for (Iterator<String> it = changes.fieldNames(); it.hasNext(); ) {
                String n = it.next();
                if (NAMES.stream().noneMatch(known -> known.equalsIgnoreCase(n))) {
                    throw ScimException.invalidValue("unknown setting '" + n + "'; known: "
                            + String.join(", ", NAMES.stream().sorted().toList()));
                }
            }
        }
        return new TenantSettings(
                bool(changes, "strictMode", strictMode),
                strings(changes, "groupPatchNoContentClients", groupPatchNoContentClients),
                bool(changes, "entraGroupPatchNoContent", entraGroupPatchNoContent),
                bool(changes, "uniqueGroupDisplayName", uniqueGroupDisplayName),
                bool(changes, "meEnabled", meEnabled),
                count(changes, "requestsPerSecond", requestsPerSecond),
                count(changes, "burst", burst));
    }

    /** The names whose value differs in {@code other}, in declaration order. */
    public List<String> changedNames(TenantSettings other) {
        List<String> out = new ArrayList<>();
        ObjectNode a = toJson();
        ObjectNode b = other.toJson();
        for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().equals(b.get(e.getKey()))) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    private static boolean bool(JsonNode o, String name, boolean current) {
        JsonNode v = JsonMembers.get(o, name);
        if (v == null || v.isNull()) {
            return current;
        }
        if (!v.isBoolean()) {
            throw ScimException.invalidValue("setting '" + name + "' must be true or false");
        }
        return v.booleanValue();
    }

    private static int count(JsonNode o, String name, int current) {
        JsonNode v = JsonMembers.get(o, name);
        if (v == null || v.isNull()) {
            return current;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() > 1_000_000) {
            throw ScimException.invalidValue("setting '" + name + "' must be a whole number from 0 to 1000000");
        }
        return v.intValue();
    }

    private static List<String> strings(JsonNode o, String name, List<String> current) {
        JsonNode v = JsonMembers.get(o, name);
        if (v == null || v.isNull()) {
            return current;
        }
        if (!v.isArray() || v.size() > 100) {
            throw ScimException.invalidValue("setting '" + name + "' must be an array of at most 100 strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            if (!s.isTextual() || s.asText().isBlank() || s.asText().length() > 200) {
                throw ScimException.invalidValue("setting '" + name + "' must hold non-empty strings (200 at most)");
            }
            out.add(s.asText());
        }
        return out;
    }
}
