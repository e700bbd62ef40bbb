package io.scimledger.tenants;

import java.time.Instant;
import java.util.List;

/** A registered tenant as the registry projection holds it. */
public record Tenant(
        String name,
        Status status,
        TenantSettings settings,
        List<TrustedIssuer> issuers,
        List<ExtensionSchema> schemas,
        long version,
        Instant created,
        Instant lastModified) {

    public enum Status {
        active,
        suspended
    }

    public Tenant {
        issuers = List.copyOf(issuers);
        schemas = List.copyOf(schemas);
    }

    /** The registered extension schema with this id (compared ignoring case, as URNs are). */
    public java.util.Optional<ExtensionSchema> schema(String id) {
        return schemas.stream().filter(s -> s.id().equalsIgnoreCase(id)).findFirst();
    }

    public boolean active() {
        return status == Status.active;
    }
}
