package io.scimledger.events;

/** The kinds of stream in the log: one stream per SCIM resource, and one per tenant for its administration. */
public enum StreamType {
    User("/Users"),
    Group("/Groups"),
    /** The admin plane: a tenant's registration, settings, trusted issuers and provisioning tokens (docs/tenants.md). */
    Tenant("/admin/tenants");

    private final String endpoint;

    StreamType(String endpoint) {
        this.endpoint = endpoint;
    }

    /** The SCIM endpoint of the resource, e.g. "/Users"; also the CloudEvents subject prefix. */
    public String endpoint() {
        return endpoint;
    }
}
