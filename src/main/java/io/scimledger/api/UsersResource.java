package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;
import static io.scimledger.api.ScimMediaType.SCIM_JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.projection.Member;
import io.scimledger.projection.ResourceQueries;
import io.scimledger.projection.ResourceSearch;
import io.scimledger.projection.UserRow;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.ScimSchemas;
import io.scimledger.security.Caller;
import io.scimledger.security.Scopes;
import io.scimledger.write.ETags;
import io.scimledger.write.UserWriter;
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

/** /Users (RFC 7644 section 3): create, read, list, replace, patch and delete users. */
@Path("/scim/v2/Users")
@Produces({SCIM_JSON, JSON})
public class UsersResource {

    @Inject
    Caller caller;
    @Inject
    UserWriter writer;
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
        UserRow row = writer.create(caller.origin(), ScimResponses.parseBody(body));
        ObjectNode json = render(row, List.of(), AttributeSelection.parse(ScimSchemas.USER_TYPE, attributes, excluded));
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
        UUID uuid = Ids.parse(id, "User");
        AttributeSelection selection = AttributeSelection.parse(ScimSchemas.USER_TYPE, attributes, excluded);
        return db.withConnection(conn -> {
            UserRow row = queries.findUser(conn, tenant, uuid)
                    .orElseThrow(() -> ScimException.notFound("User " + id + " not found"));
            if (ifNoneMatch != null && ETags.matchesAny(ifNoneMatch, row.version())) {
                return Response.notModified().header("ETag", ETags.of(row.version())).build();
            }
            List<Member> groups = selection.wants("groups")
                    ? queries.groupsOf(conn, tenant, Set.of(uuid)).get(uuid) : null;
            return ScimResponses.json(200, render(row, groups, selection)).header("ETag", ETags.of(row.version())).build();
        });
    }

    @GET
    @RolesAllowed(Scopes.SCIM_READ)
    public Response list(@QueryParam("filter") String filter, @QueryParam("startIndex") Integer startIndex,
                         @QueryParam("count") Integer count, @QueryParam("sortBy") String sortBy,
                         @QueryParam("sortOrder") String sortOrder, @QueryParam("attributes") String attributes,
                         @QueryParam("excludedAttributes") String excluded) {
        String tenant = caller.tenant();
        AttributeSelection selection = AttributeSelection.parse(ScimSchemas.USER_TYPE, attributes, excluded);
        return db.withConnection(conn -> {
            var page = search.users(conn, tenant, new ResourceSearch.Query(filter, startIndex, count, sortBy, sortOrder));
            Map<UUID, List<Member>> groups = selection.wants("groups")
                    ? queries.groupsOf(conn, tenant, page.resources().stream().map(UserRow::id).toList()) : Map.of();
            return ScimResponses.json(200, ListResponses.of(page,
                    row -> render(row, groups.get(row.id()), selection))).build();
        });
    }

    @PUT
    @Path("{id}")
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response replace(@PathParam("id") String id, String body, @HeaderParam("If-Match") String ifMatch,
                            @QueryParam("attributes") String attributes,
                            @QueryParam("excludedAttributes") String excluded) {
        UserRow row = writer.replace(caller.origin(), Ids.parse(id, "User"), ScimResponses.parseBody(body), ifMatch);
        return respond(row, AttributeSelection.parse(ScimSchemas.USER_TYPE, attributes, excluded));
    }

    @PATCH
    @Path("{id}")
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response patch(@PathParam("id") String id, String body, @HeaderParam("If-Match") String ifMatch,
                          @QueryParam("attributes") String attributes,
                          @QueryParam("excludedAttributes") String excluded) {
        UserRow row = writer.patch(caller.origin(), Ids.parse(id, "User"), ScimResponses.parseBody(body), ifMatch);
        return respond(row, AttributeSelection.parse(ScimSchemas.USER_TYPE, attributes, excluded));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        writer.delete(caller.origin(), Ids.parse(id, "User"), ifMatch);
        return Response.noContent().build();
    }

    private Response respond(UserRow row, AttributeSelection selection) {
        String tenant = caller.tenant();
        List<Member> groups = selection.wants("groups")
                ? db.withConnection(conn -> queries.groupsOf(conn, tenant, Set.of(row.id())).get(row.id())) : null;
        return ScimResponses.json(200, render(row, groups, selection)).header("ETag", ETags.of(row.version())).build();
    }

    private ObjectNode render(UserRow row, List<Member> groups, AttributeSelection selection) {
        return selection.apply(ScimSchemas.USER_TYPE, ResourceRenderer.user(baseUrl.get(), row, groups));
    }
}
