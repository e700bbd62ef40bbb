package io.scimledger.tenants;

import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.SchemaDefinition;
import io.scimledger.scim.schema.ScimSchemas;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that says what a tenant's Users and Groups are: core, the enterprise extension for Users, and the
 * extension schemas the tenant registered ({@link ExtensionSchema}). Validation, storage, sealing, filtering,
 * sorting, PATCH, attribute selection and discovery all take their {@link ResourceTypeDefinition} from here, so a
 * registered attribute is handled like a core one, and another tenant never sees it.
 */
@ApplicationScoped
public class TenantSchemas {

    private final TenantRegistry registry;

    public TenantSchemas(TenantRegistry registry) {
        this.registry = registry;
    }

    /** The tenant's User type (core + enterprise when the tenant is unknown, e.g. in a replay of an old stream). */
    public ResourceTypeDefinition userType(String tenant) {
        return registry.find(tenant).map(TenantSchemas::userType).orElse(ScimSchemas.USER_TYPE);
    }

    public ResourceTypeDefinition groupType(String tenant) {
        return registry.find(tenant).map(TenantSchemas::groupType).orElse(ScimSchemas.GROUP_TYPE);
    }

    public static ResourceTypeDefinition userType(Tenant tenant) {
        return extended(ScimSchemas.USER_TYPE, tenant, "User");
    }

    public static ResourceTypeDefinition groupType(Tenant tenant) {
        return extended(ScimSchemas.GROUP_TYPE, tenant, "Group");
    }

    /** The tenant's resource types, Users then Groups. */
    public static List<ResourceTypeDefinition> resourceTypes(Tenant tenant) {
        return List.of(userType(tenant), groupType(tenant));
    }

    /** The tenant's registered extension schemas, in the order they were registered. */
    public static List<SchemaDefinition> registered(Tenant tenant) {
        return tenant.schemas().stream().map(ExtensionSchema::schema).toList();
    }

    private static ResourceTypeDefinition extended(ResourceTypeDefinition base, Tenant tenant, String resourceType) {
        List<SchemaDefinition> more = tenant.schemas().stream()
                .filter(s -> s.resourceType().equals(resourceType))
                .map(ExtensionSchema::schema)
                .toList();
        if (more.isEmpty()) {
            return base;
        }
        List<SchemaDefinition> extensions = new ArrayList<>(base.extensions());
        extensions.addAll(more);
        return new ResourceTypeDefinition(
                base.name(), base.endpoint(), base.description(), base.schema(), List.copyOf(extensions));
    }
}
