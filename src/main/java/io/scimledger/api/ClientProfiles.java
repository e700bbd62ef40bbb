package io.scimledger.api;

import io.scimledger.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Per-client answers where RFC 7644 leaves the server a choice. Today: whether a Group PATCH answers 204 No Content
 * (Microsoft's advice for Entra ID, which ignores the body) instead of 200 with the resource (Okta and most test
 * suites). Entra ID is recognised by its token issuer (unless the tenant's setting entraGroupPatchNoContent is off); other
 * clients opt in by client id in the tenant's setting groupPatchNoContentClients (docs/tenants.md). See docs/compatibility.md.
 */
@ApplicationScoped
public class ClientProfiles {

    @ConfigProperty(name = "scim.profiles.entra-issuer-prefixes")
    List<String> entraIssuerPrefixes;

    public boolean groupPatchAnswersNoContent(Caller caller) {
        var settings = caller.settings();
        String client = caller.clientId();
        if (client != null && settings.groupPatchNoContentClients().contains(client)) {
            return true;
        }
        String issuer = caller.issuer();
        return settings.entraGroupPatchNoContent()
                && issuer != null
                && entraIssuerPrefixes.stream().anyMatch(issuer::startsWith);
    }
}
