package io.scimledger.scim.schema;

/**
 * An {@link AttributePath} matched against a resource type: which schema holds it, its definition and, for a
 * sub-attribute path, the sub-attribute's definition.
 *
 * @param schema       the schema that defines the attribute
 * @param extension    true when that schema is an extension (the attribute lives under the extension URN key)
 * @param attribute    the top-level attribute
 * @param subAttribute the sub-attribute, or null
 */
public record ResolvedAttribute(
        SchemaDefinition schema, boolean extension, AttributeDefinition attribute, AttributeDefinition subAttribute) {

    /** The definition of what the path finally names: the sub-attribute if there is one, else the attribute. */
    public AttributeDefinition target() {
        return subAttribute != null ? subAttribute : attribute;
    }

    /** The canonical path, URN-qualified for extension attributes, e.g. {@code name.givenName}. */
    public String canonicalPath() {
        String base = extension ? schema.id() + ":" + attribute.name() : attribute.name();
        return subAttribute == null ? base : base + "." + subAttribute.name();
    }
}
