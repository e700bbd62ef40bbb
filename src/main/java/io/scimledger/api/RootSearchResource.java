package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;
import static io.scimledger.api.ScimMediaType.SCIM_JSON;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.projection.Member;
import io.scimledger.projection.ResourceQueries;
import io.scimledger.projection.ResourceRow;
import io.scimledger.projection.ResourceSearch;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.ScimSchemas;
import io.scimledger.security.Caller;
import io.scimledger.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/**
 * POST /.search at the root (RFC 7644 section 3.4.3): one result list over Users then Groups. A filter that names
 * an attribute only one type has matches nothing of the other type; a filter valid for neither is invalidFilter.
 */
@Path("/scim/v2/.search")
@Produces({SCIM_JSON, JSON})
public class RootSearchResource {

    @Inject
    Caller caller;

    @Inject
    Database db;

    @Inject
    ResourceSearch search;

    @Inject
    ResourceQueries queries;

    @Inject
    BaseUrl baseUrl;

    @POST
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_READ)
    public Response search(String body) {
        SearchRequest q = SearchRequest.parse(ScimResponses.parseBody(body));
        String tenant = caller.tenant();
        int start = q.startIndex() == null || q.startIndex() < 1 ? 1 : q.startIndex();
        int count = q.count() == null
                ? ResourceSearch.DEFAULT_COUNT
                : Math.max(0, Math.min(q.count(), ResourceSearch.MAX_RESULTS));
        var userType = io.scimledger.tenants.TenantSchemas.userType(caller.registered());
        var groupType = io.scimledger.tenants.TenantSchemas.groupType(caller.registered());
        AttributeSelection userSelection = AttributeSelection.parse(userType, q.attributes(), q.excludedAttributes());
        AttributeSelection groupSelection = AttributeSelection.parse(groupType, q.attributes(), q.excludedAttributes());
        return db.withConnection(conn -> {
            // Totals first (count 0), then the slice of the concatenation Users ++ Groups that the page covers.
            ScimException userError = null;
            ScimException groupError = null;
            long users = 0;
            long groups = 0;
            try {
                users = Database.await(search.users(conn, tenant, userType, query(q, 1, 0)))
                        .totalResults();
            } catch (ScimException e) {
                userError = e;
            }
            try {
                groups = Database.await(search.groups(conn, tenant, groupType, query(q, 1, 0)))
                        .totalResults();
            } catch (ScimException e) {
                groupError = e;
            }
            if (userError != null && groupError != null) {
                throw userError;
            }
            ArrayNode resources = JsonNodeFactory.instance.arrayNode();
            int remaining = count;
            if (userError == null && start <= users && remaining > 0) {
                var page = Database.await(search.users(conn, tenant, userType, query(q, start, remaining)));
                Map<java.util.UUID, List<Member>> rel = userSelection.wants("groups")
                        ? Database.await(queries.groupsOf(
                                conn,
                                tenant,
                                page.resources().stream().map(ResourceRow::id).toList()))
                        : Map.of();
                for (ResourceRow r : page.resources()) {
                    resources.add(
                            userSelection.apply(userType, ResourceRenderer.user(baseUrl.get(), r, rel.get(r.id()))));
                }
                remaining -= page.resources().size();
            }
            long groupStart = Math.max(1, start - users);
            if (groupError == null && remaining > 0 && groupStart <= groups) {
                var page =
                        Database.await(search.groups(conn, tenant, groupType, query(q, (int) groupStart, remaining)));
                Map<java.util.UUID, List<Member>> rel = groupSelection.wants("members")
                        ? Database.await(queries.membersOf(
                                conn,
                                tenant,
                                page.resources().stream().map(ResourceRow::id).toList()))
                        : Map.of();
                for (ResourceRow r : page.resources()) {
                    resources.add(
                            groupSelection.apply(groupType, ResourceRenderer.group(baseUrl.get(), r, rel.get(r.id()))));
                }
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.putArray("schemas").add(ScimSchemas.LIST_RESPONSE_URN);
            out.put("totalResults", users + groups);
            out.put("startIndex", start);
            out.put("itemsPerPage", resources.size());
            out.set("Resources", resources);
            return ScimResponses.json(200, out).build();
        });
    }

    private static ResourceSearch.Query query(SearchRequest q, int startIndex, int count) {
        return new ResourceSearch.Query(q.filter(), startIndex, count, q.sortBy(), q.sortOrder());
    }
}
