package io.scimledger.scim.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.SchemaDefinition;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which attributes a write changed: the {@code changed} list of User and Group events, for PUT and PATCH alike (and
 * for the attributes a creation set, read by the audit API). One granularity, stated in docs/events.md:
 * <ul>
 *   <li>a top-level attribute of the core schema (or {@code externalId}) by its canonical name, whatever part of its
 *       value changed ({@code name} for a new {@code name.givenName}, {@code emails} for one changed address);</li>
 *   <li>an extension attribute as {@code <extension URN>:<attribute>}, never the extension as a whole;</li>
 *   <li>{@code password} when the client supplied one (it is never stored, so no comparison could see it);</li>
 *   <li>in schema order: common attributes, the core schema's, then each extension's in declaration order;</li>
 *   <li>never {@code schemas}, {@code id}, {@code meta}, nor Group {@code members}: membership changes are events of
 *       their own ({@code GroupMembersAdded}/{@code GroupMembersRemoved}).</li>
 * </ul>
 * Both states are in stored form (canonical names); values are compared exactly.
 */
public final class ChangedAttributes {

    private ChangedAttributes() {}

    public static List<String> between(
            ResourceTypeDefinition type, ObjectNode before, ObjectNode after, boolean passwordSupplied) {
        List<String> changed = new ArrayList<>();
        List<AttributeDefinition> core = new ArrayList<>(ScimSchemas.COMMON_ATTRIBUTES);
        core.addAll(type.schema().attributes());
        for (AttributeDefinition a : core) {
            if (ResourceNormalizer.isWriteOnly(a)) {
                if (passwordSupplied) {
                    changed.add(a.name());
                }
            } else if (!ResourceNormalizer.isGroupMembers(type, a)
                    && !Objects.equals(before.get(a.name()), after.get(a.name()))) {
                changed.add(a.name());
            }
        }
        for (SchemaDefinition ext : type.extensions()) {
            JsonNode b = before.get(ext.id());
            JsonNode a = after.get(ext.id());
            for (AttributeDefinition attr : ext.attributes()) {
                JsonNode vb = b == null ? null : b.get(attr.name());
                JsonNode va = a == null ? null : a.get(attr.name());
                if (!Objects.equals(vb, va)) {
                    changed.add(ext.id() + ":" + attr.name());
                }
            }
        }
        return changed;
    }
}
