package io.scimledger.scim.schema;

import java.util.List;
import java.util.Optional;

/** A SCIM schema (RFC 7643 section 7): its URN and its attributes. */
public record SchemaDefinition(String id, String name, String description, List<AttributeDefinition> attributes) {

    public Optional<AttributeDefinition> attribute(String attributeName) {
        for (AttributeDefinition a : attributes) {
            if (a.name().equalsIgnoreCase(attributeName)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
