package io.scimledger.security;

/**
 * OAuth scopes the service understands (carried in the token's space-separated "scope" claim, mapped to roles).
 * Writing does not imply reading: an identity provider gets both, an auditor gets only {@link #AUDIT_READ}.
 */
public final class Scopes {

    public static final String SCIM_READ = "scim:read";
    public static final String SCIM_WRITE = "scim:write";
    public static final String AUDIT_READ = "audit:read";
    /** A tenant's administrator: erasure, credentials, issuers and settings of its own tenant only. */
    public static final String ADMIN = "scim:admin";
    /**
     * The platform operator: tenants, rebuilds, the relay, any tenant's administration. Only a token of the
     * platform's own issuer can carry it; provisioning tokens and tenants' issuers can never grant it.
     */
    public static final String PLATFORM_ADMIN = "platform:admin";

    private Scopes() {}
}
