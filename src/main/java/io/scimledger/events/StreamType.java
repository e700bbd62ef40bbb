package io.scimledger.events;

/** The kinds of stream in the log: one stream per SCIM resource. */
public enum StreamType {
    User("/Users"), Group("/Groups");

    private final String endpoint;

    StreamType(String endpoint) {
        this.endpoint = endpoint;
    }

    /** The SCIM endpoint of the resource, e.g. "/Users"; also the CloudEvents subject prefix. */
    public String endpoint() {
        return endpoint;
    }
}
