package io.scimledger.tenants;

import java.time.Instant;
import java.util.List;

/** A registered tenant as the registry projection holds it. */
public record Tenant(String name, Status status, TenantSettings settings, List<TrustedIssuer> issuers, long version,
                     Instant created, Instant lastModified) {

    public enum Status { active, suspended }

    public Tenant {
        issuers = List.copyOf(issuers);
    }

    public boolean active() {
        return status == Status.active;
    }
}
