package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;
import static io.scimledger.api.ScimMediaType.SCIM_JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.projection.Member;
import io.scimledger.projection.ResourceQueries;
import io.scimledger.projection.ResourceSearch;
import io.scimledger.projection.GroupRow;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.ScimSchemas;
import io.scimledger.security.Caller;
import io.scimledger.security.Scopes;
import io.scimledger.write.ETags;
import io.scimledger.write.GroupWriter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** /Groups (RFC 7644 section 3): groups and their membership. Members are read only when the response includes them. */
@Path("/scim/v2/Groups")
@Produces({SCIM_JSON, JSON})
public class GroupsResource {

    @Inject
    Caller caller;
    @Inject
    GroupWriter writer;
    @Inject
    Database db;
    @Inject
    ResourceQueries queries;
    @Inject
    ResourceSearch search;
    @Inject
    BaseUrl baseUrl;

    @POST
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response create(String body, @QueryParam("attributes") String attributes,
                           @QueryParam("excludedAttributes") String excluded) {
        GroupRow row = writer.create(caller.origin(), ScimResponses.parseBody(body));
        AttributeSelection selection = AttributeSelection.parse(ScimSchemas.GROUP_TYPE, attributes, excluded);
        String tenant = caller.tenant();
        List<Member> members = selection.wants("members")
                ? db.withConnection(conn -> queries.membersOf(conn, tenant, Set.of(row.id())).get(row.id())) : null;
        ObjectNode json = render(row, members, selection);
        return ScimResponses.json(201, json).location(URI.create(json.path("meta").path("location").asText()))
                .header("ETag", ETags.of(row.version())).build();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Scopes.SCIM_READ)
    public Response get(@PathParam("id") String id, @QueryParam("attributes") String attributes,
                        @QueryParam("excludedAttributes") String excluded,
                        @HeaderParam("If-None-Match") String ifNoneMatch) {
        String tenant = caller.tenant();
        UUID uuid = Ids.parse(id, "Group");
        AttributeSelection selection = AttributeSelection.parse(ScimSchemas.GROUP_TYPE, attributes, excluded);
        return db.withConnection(conn -> {
            GroupRow row = queries.findGroup(conn, tenant, uuid)
                    .orElseThrow(() -> ScimException.notFound("Group " + id + " not found"));
            if (ifNoneMatch != null && ETags.matchesAny(ifNoneMatch, row.version())) {
                return Response.notModified().header("ETag", ETags.of(row.version())).build();
            }
            List<Member> members = selection.wants("members")
                    ? queries.membersOf(conn, tenant, Set.of(uuid)).get(uuid) : null;
            return ScimResponses.json(200, render(row, members, selection)).header("ETag", ETags.of(row.version())).build();
        });
    }

    @GET
    @RolesAllowed(Scopes.SCIM_READ)
    public Response list(@QueryParam("filter") String filter, @QueryParam("startIndex") Integer startIndex,
                         @QueryParam("count") Integer count, @QueryParam("sortBy") String sortBy,
                         @QueryParam("sortOrder") String sortOrder, @QueryParam("attributes") String attributes,
                         @QueryParam("excludedAttributes") String excluded) {
        String tenant = caller.tenant();
        AttributeSelection selection = AttributeSelection.parse(ScimSchemas.GROUP_TYPE, attributes, excluded);
        return db.withConnection(conn -> {
            var page = search.groups(conn, tenant, new ResourceSearch.Query(filter, startIndex, count, sortBy, sortOrder));
            Map<UUID, List<Member>> members = selection.wants("members")
                    ? queries.membersOf(conn, tenant, page.resources().stream().map(GroupRow::id).toList()) : Map.of();
            return ScimResponses.json(200, ListResponses.of(page,
                    row -> render(row, members.get(row.id()), selection))).build();
        });
    }

    @PUT
    @Path("{id}")
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response replace(@PathParam("id") String id, String body, @HeaderParam("If-Match") String ifMatch,
                            @QueryParam("attributes") String attributes,
                            @QueryParam("excludedAttributes") String excluded) {
        GroupRow row = writer.replace(caller.origin(), Ids.parse(id, "Group"), ScimResponses.parseBody(body), ifMatch);
        return respond(row, AttributeSelection.parse(ScimSchemas.GROUP_TYPE, attributes, excluded));
    }

    @PATCH
    @Path("{id}")
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response patch(@PathParam("id") String id, String body, @HeaderParam("If-Match") String ifMatch,
                          @QueryParam("attributes") String attributes,
                          @QueryParam("excludedAttributes") String excluded) {
        GroupRow row = writer.patch(caller.origin(), Ids.parse(id, "Group"), ScimResponses.parseBody(body), ifMatch);
        return respond(row, AttributeSelection.parse(ScimSchemas.GROUP_TYPE, attributes, excluded));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        writer.delete(caller.origin(), Ids.parse(id, "Group"), ifMatch);
        return Response.noContent().build();
    }

    private Response respond(GroupRow row, AttributeSelection selection) {
        String tenant = caller.tenant();
        List<Member> members = selection.wants("members")
                ? db.withConnection(conn -> queries.membersOf(conn, tenant, Set.of(row.id())).get(row.id())) : null;
        return ScimResponses.json(200, render(row, members, selection)).header("ETag", ETags.of(row.version())).build();
    }

    private ObjectNode render(GroupRow row, List<Member> members, AttributeSelection selection) {
        return selection.apply(ScimSchemas.GROUP_TYPE, ResourceRenderer.group(baseUrl.get(), row, members));
    }
}
