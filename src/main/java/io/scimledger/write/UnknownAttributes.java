package io.scimledger.write;

import io.scimledger.events.RequestOrigin;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.tenants.TenantRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * What to do with attributes and schema URIs we do not know. Clients send them all the time (Entra's ADSCIM schema,
 * custom extensions), so by default they are ignored and logged once per client and attribute; tenants listed in
 * whose setting {@code strictMode} is on (docs/tenants.md) get a 400 instead. Read-only attributes we know (id, meta, groups) are never an error.
 */
@ApplicationScoped
public class UnknownAttributes {

    private static final Logger LOG = Logger.getLogger(UnknownAttributes.class);
    private static final int MAX_REMEMBERED = 10_000;

    private final TenantRegistry registry;

    public UnknownAttributes(TenantRegistry registry) {
        this.registry = registry;
    }

    private final Set<String> alreadyLogged = ConcurrentHashMap.newKeySet();

    void check(RequestOrigin origin, ResourceTypeDefinition type, List<String> ignored) {
        List<String> unknown =
                ignored.stream().filter(name -> !isKnown(type, name)).toList();
        if (unknown.isEmpty()) {
            return;
        }
        if (registry.find(origin.tenant()).map(t -> t.settings().strictMode()).orElse(false)) {
            throw ScimException.invalidValue(
                    "unknown attributes or schemas (strict mode): " + String.join(", ", unknown));
        }
        for (String name : unknown) {
            String key = origin.tenant() + '|' + origin.clientId() + '|' + type.name() + '|' + name;
            if (alreadyLogged.size() < MAX_REMEMBERED && alreadyLogged.add(key)) {
                LOG.infof(
                        "ignoring unknown %s attribute '%s' from client %s of tenant %s (logged once)",
                        type.name(), name, origin.clientId(), origin.tenant());
            }
        }
    }

    private static boolean isKnown(ResourceTypeDefinition type, String name) {
        try {
            if (type.knowsSchema(name)) {
                return true;
            }
            AttributePath p = AttributePath.parse(name);
            return p.attribute() != null && type.find(p).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
