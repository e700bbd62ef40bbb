package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;
import static io.scimledger.api.ScimMediaType.SCIM_JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.projection.Member;
import io.scimledger.projection.ResourceQueries;
import io.scimledger.projection.ResourceRow;
import io.scimledger.projection.ResourceSearch;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.tenants.Tenant;
import io.scimledger.tenants.TenantSchemas;
import io.scimledger.write.ResourceWriter;
import io.scimledger.write.UserWriter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.inject.Inject;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** /Users: the protocol lives in {@link ResourceEndpoint}; a user shows the groups it belongs to. */
@Path("/scim/v2/Users")
@Produces({SCIM_JSON, JSON})
public class UsersResource extends ResourceEndpoint {

    @Inject
    UserWriter writer;

    @Override
    protected ResourceTypeDefinition type(Tenant tenant) {
        return TenantSchemas.userType(tenant);
    }

    @Override
    protected String typeName() {
        return "User";
    }

    @Override
    protected String relationAttribute() {
        return "groups";
    }

    @Override
    protected Uni<Map<UUID, List<Member>>> relation(SqlClient conn, String tenant, Collection<UUID> ids) {
        return queries.groupsOf(conn, tenant, ids);
    }

    @Override
    protected Uni<Optional<ResourceRow>> find(SqlClient conn, String tenant, UUID id) {
        return queries.findUser(conn, tenant, id);
    }

    @Override
    protected Uni<Optional<ResourceQueries.WithRelation>> findWithRelation(
            SqlClient conn, String tenant, UUID id, boolean withGroups) {
        return withGroups
                ? queries.findUserWithGroups(conn, tenant, id)
                : find(conn, tenant, id).map(found -> found.map(row -> new ResourceQueries.WithRelation(row, null)));
    }

    @Override
    protected List<Member> relationOfCreated(ResourceRow created) {
        return List.of();
    }

    @Override
    protected Uni<ResourceSearch.Page<ResourceRow>> list(
            SqlClient conn, String tenant, ResourceTypeDefinition type, ResourceSearch.Query query) {
        return search.users(conn, tenant, type, query);
    }

    @Override
    protected ObjectNode render(String base, ResourceRow row, List<Member> groups) {
        return ResourceRenderer.user(base, row, groups);
    }

    @Override
    protected ResourceWriter writer() {
        return writer;
    }
}
