package io.scimledger.api;

/** RFC 7644 section 3.1: SCIM's own media type; plain application/json is accepted on input too. */
public final class ScimMediaType {

    public static final String SCIM_JSON = "application/scim+json";
    public static final String JSON = "application/json";

    private ScimMediaType() {}
}
