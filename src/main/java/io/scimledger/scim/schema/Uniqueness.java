package io.scimledger.scim.schema;

/** RFC 7643 section 7 "uniqueness". */
public enum Uniqueness {
    NONE("none"),
    SERVER("server"),
    GLOBAL("global");

    private final String scimName;

    Uniqueness(String scimName) {
        this.scimName = scimName;
    }

    public String scimName() {
        return scimName;
    }
}
