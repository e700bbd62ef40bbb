package io.scimledger.events;

/**
 * Every kind of event the log holds. Names are stored in the log, so they never change; a changed payload shape gets
 * a new schema version instead (see docs/decisions/0001-event-format.md).
 */
public enum EventType {
    UserCreated(StreamType.User),
    UserReplaced(StreamType.User),
    UserPatched(StreamType.User),
    UserDeleted(StreamType.User),
    /**
     * The person's data key was destroyed (GDPR art. 17): every sealed value of this stream is unreadable from now
     * on, and the user is gone from the projections. Carries no personal data itself.
     */
    UserErased(StreamType.User),
    GroupCreated(StreamType.Group),
    GroupReplaced(StreamType.Group),
    GroupPatched(StreamType.Group),
    /** Only the members that were added, never the whole list: cost independent of the group's size. */
    GroupMembersAdded(StreamType.Group),
    /** Only the members that were removed. */
    GroupMembersRemoved(StreamType.Group),
    GroupDeleted(StreamType.Group),
    /** A tenant registered (by the platform operator, or on first use of a dev token in the dev profile). */
    TenantCreated(StreamType.Tenant),
    /** The tenant's settings after the change, whole, with the names that changed. */
    TenantSettingsChanged(StreamType.Tenant),
    TenantSuspended(StreamType.Tenant),
    TenantResumed(StreamType.Tenant),
    /** The tenant is no longer known: its tokens stop working; its log stays. */
    TenantDeleted(StreamType.Tenant),
    /** An identity provider whose signed tokens act for this tenant (issuer, key source, audience, tenant claim). */
    TenantIssuerTrusted(StreamType.Tenant),
    TenantIssuerRemoved(StreamType.Tenant),
    /** A provisioning token was issued: its id, label, scopes and expiry, and only a SHA-256 of the token. */
    TenantCredentialIssued(StreamType.Tenant),
    TenantCredentialRevoked(StreamType.Tenant),
    /**
     * An extension schema registered for the tenant's Users or Groups: the schema (RFC 7643 section 7 form with our
     * personal flag) and the tenant's whole list of schemas after the change.
     */
    TenantSchemaRegistered(StreamType.Tenant),
    /** A registered schema changed (attributes added, removed or redefined); the new schema and the whole list. */
    TenantSchemaChanged(StreamType.Tenant),
    /** A schema unregistered; values already written stay in the log and its history. */
    TenantSchemaRemoved(StreamType.Tenant);

    /** Payload schema version written today. */
    public static final int CURRENT_SCHEMA_VERSION = 1;

    private final StreamType streamType;

    EventType(StreamType streamType) {
        this.streamType = streamType;
    }

    public StreamType streamType() {
        return streamType;
    }

    public boolean isDeletion() {
        return this == UserDeleted || this == GroupDeleted || this == UserErased || this == TenantDeleted;
    }
}
