package io.scimledger.scim.schema;

import io.scimledger.scim.ScimException;
import java.util.List;
import java.util.Optional;

/**
 * A resource type (RFC 7643 section 6): its endpoint, core schema and schema extensions.
 * Resolves attribute paths case-insensitively, the way clients write them.
 */
public record ResourceTypeDefinition(
        String name, String endpoint, String description, SchemaDefinition schema, List<SchemaDefinition> extensions) {

    public Optional<SchemaDefinition> extension(String urn) {
        for (SchemaDefinition s : extensions) {
            if (s.id().equalsIgnoreCase(urn)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** True if the URN names the core schema or one of the extensions. */
    public boolean knowsSchema(String urn) {
        return schema.id().equalsIgnoreCase(urn) || extension(urn).isPresent();
    }

    /** Resolves a path or returns empty when the resource type has no such attribute. */
    public Optional<ResolvedAttribute> find(AttributePath path) {
        SchemaDefinition owner = schema;
        boolean isExtension = false;
        if (path.schemaUrn() != null) {
            if (schema.id().equalsIgnoreCase(path.schemaUrn())) {
                owner = schema;
            } else {
                Optional<SchemaDefinition> ext = extension(path.schemaUrn());
                if (ext.isEmpty()) {
                    return Optional.empty();
                }
                owner = ext.get();
                isExtension = true;
            }
        }
        if (path.attribute() == null) {
            return Optional.empty();
        }
        Optional<AttributeDefinition> attr = owner.attribute(path.attribute());
        if (attr.isEmpty() && !isExtension) {
            attr = commonAttribute(path.attribute());
        }
        if (attr.isEmpty()) {
            return Optional.empty();
        }
        AttributeDefinition sub = null;
        if (path.subAttribute() != null) {
            Optional<AttributeDefinition> s = attr.get().subAttribute(path.subAttribute());
            if (s.isEmpty()) {
                return Optional.empty();
            }
            sub = s.get();
        }
        return Optional.of(new ResolvedAttribute(owner, isExtension, attr.get(), sub));
    }

    /** id, externalId and meta: defined by RFC 7643 section 3.1 for every resource rather than by a schema. */
    private static Optional<AttributeDefinition> commonAttribute(String attributeName) {
        for (AttributeDefinition a : ScimSchemas.COMMON_ATTRIBUTES) {
            if (a.name().equalsIgnoreCase(attributeName)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Resolves a path or fails with 400 invalidPath. */
    public ResolvedAttribute resolve(AttributePath path) {
        return find(path).orElseThrow(() -> ScimException.invalidPath("unknown attribute '" + path + "' for " + name));
    }
}
