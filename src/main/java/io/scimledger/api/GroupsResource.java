package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;
import static io.scimledger.api.ScimMediaType.SCIM_JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.projection.Member;
import io.scimledger.projection.ResourceRow;
import io.scimledger.projection.ResourceSearch;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.tenants.Tenant;
import io.scimledger.tenants.TenantSchemas;
import io.scimledger.write.GroupWriter;
import io.scimledger.write.ResourceWriter;
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

/** /Groups: the protocol lives in {@link ResourceEndpoint}; a group shows its members, read only when wanted. */
@Path("/scim/v2/Groups")
@Produces({SCIM_JSON, JSON})
public class GroupsResource extends ResourceEndpoint {

    @Inject
    GroupWriter writer;

    @Inject
    ClientProfiles profiles;

    @Override
    protected boolean patchAnswersNoContent() {
        return profiles.groupPatchAnswersNoContent(caller);
    }

    @Override
    protected ResourceTypeDefinition type(Tenant tenant) {
        return TenantSchemas.groupType(tenant);
    }

    @Override
    protected String typeName() {
        return "Group";
    }

    @Override
    protected String relationAttribute() {
        return "members";
    }

    @Override
    protected Uni<Map<UUID, List<Member>>> relation(SqlClient conn, String tenant, Collection<UUID> ids) {
        return queries.membersOf(conn, tenant, ids);
    }

    @Override
    protected Uni<Optional<ResourceRow>> find(SqlClient conn, String tenant, UUID id) {
        return queries.findGroup(conn, tenant, id);
    }

    @Override
    protected Uni<ResourceSearch.Page<ResourceRow>> list(
            SqlClient conn, String tenant, ResourceTypeDefinition type, ResourceSearch.Query query) {
        return search.groups(conn, tenant, type, query);
    }

    @Override
    protected ObjectNode render(String base, ResourceRow row, List<Member> members) {
        return ResourceRenderer.group(base, row, members);
    }

    @Override
    protected ResourceWriter writer() {
        return writer;
    }
}
