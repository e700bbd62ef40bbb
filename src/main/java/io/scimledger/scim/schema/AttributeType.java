package io.scimledger.scim.schema;

/** RFC 7643 section 2.3 data types, with the spelling used in /Schemas. */
public enum AttributeType {
    STRING("string"),
    BOOLEAN("boolean"),
    DECIMAL("decimal"),
    INTEGER("integer"),
    DATE_TIME("dateTime"),
    BINARY("binary"),
    REFERENCE("reference"),
    COMPLEX("complex");

    private final String scimName;

    AttributeType(String scimName) {
        this.scimName = scimName;
    }

    public String scimName() {
        return scimName;
    }
}
