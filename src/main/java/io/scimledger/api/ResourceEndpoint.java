package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;
import static io.scimledger.api.ScimMediaType.SCIM_JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.projection.Member;
import io.scimledger.projection.ResourceQueries;
import io.scimledger.projection.ResourceRow;
import io.scimledger.projection.ResourceSearch;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.patch.PatchEngine;
import io.scimledger.scim.resource.ResourceNormalizer;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.security.Caller;
import io.scimledger.security.Scopes;
import io.scimledger.write.ETags;
import io.scimledger.write.ResourceWriter;
import io.vertx.mutiny.sqlclient.SqlClient;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The SCIM protocol of one resource endpoint (RFC 7644 section 3): create, read, list, replace, patch, delete, with
 * ETags, attributes/excludedAttributes and SCIM errors. {@link UsersResource} and {@link GroupsResource} say only
 * what differs: which writer, which table, and which relation (a user's groups, a group's members) they show.
 * The relation is read from group_membership only when the response includes it.
 */
public abstract class ResourceEndpoint {

    @Inject
    Caller caller;

    @Inject
    Database db;

    @Inject
    ResourceQueries queries;

    @Inject
    ResourceSearch search;

    @Inject
    BaseUrl baseUrl;

    protected abstract ResourceTypeDefinition type();

    /** "groups" for a user, "members" for a group. */
    protected abstract String relationAttribute();

    protected abstract Map<UUID, List<Member>> relation(SqlClient conn, String tenant, Collection<UUID> ids);

    protected abstract Optional<ResourceRow> find(SqlClient conn, String tenant, UUID id);

    protected abstract ResourceSearch.Page<ResourceRow> list(SqlClient conn, String tenant, ResourceSearch.Query query);

    protected abstract ObjectNode render(String base, ResourceRow row, List<Member> relation);

    /**
     * The resource and, when {@code withRelation}, its relation; two statements unless an endpoint knows one
     * ({@link UsersResource}). The relation is null when not asked for.
     */
    protected Optional<ResourceQueries.WithRelation> findWithRelation(
            SqlClient conn, String tenant, UUID id, boolean withRelation) {
        return find(conn, tenant, id)
                .map(row -> new ResourceQueries.WithRelation(
                        row, withRelation ? relation(conn, tenant, Set.of(id)).get(id) : null));
    }

    /**
     * The relation of a resource this request just created, or null when it must be read (a group created with
     * members). A user is created in no group: groups is read-only and only a later group write can add it.
     */
    protected List<Member> relationOfCreated(ResourceRow created) {
        return null;
    }

    /** Where this endpoint's POST, PUT, PATCH and DELETE go. */
    protected abstract ResourceWriter writer();

    @POST
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response post(
            String body,
            @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded) {
        ResourceRow row = writer().create(caller.origin(), ScimResponses.parseBody(body));
        AttributeSelection selection = selection(attributes, excluded);
        List<Member> known = relationOfCreated(row);
        ObjectNode full = known != null
                ? render(baseUrl.get(), row, selection.wants(relationAttribute()) ? known : null)
                : renderWithRelation(row, selection);
        URI location = location(full); // before selection, which edits the node in place
        return ScimResponses.json(201, selection.apply(type(), full))
                .location(location)
                .header("ETag", ETags.of(row.version()))
                .build();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Scopes.SCIM_READ)
    public Response get(
            @PathParam("id") String id,
            @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded,
            @HeaderParam("If-None-Match") String ifNoneMatch) {
        String tenant = caller.tenant();
        UUID uuid = parseId(id);
        AttributeSelection selection = selection(attributes, excluded);
        return db.withConnection(conn -> {
            var found = findWithRelation(conn, tenant, uuid, selection.wants(relationAttribute()))
                    .orElseThrow(() -> notFound(id));
            ResourceRow row = found.row();
            if (ifNoneMatch != null && ETags.matchesAny(ifNoneMatch, row.version())) {
                return Response.notModified()
                        .header("ETag", ETags.of(row.version()))
                        .build();
            }
            List<Member> related = found.related();
            ObjectNode full = render(baseUrl.get(), row, related);
            URI location = location(full); // before selection, which edits the node in place
            return ScimResponses.json(200, selection.apply(type(), full))
                    .location(location)
                    .header("ETag", ETags.of(row.version()))
                    .build();
        });
    }

    @GET
    @RolesAllowed(Scopes.SCIM_READ)
    public Response list(
            @QueryParam("filter") String filter,
            @QueryParam("startIndex") String startIndex,
            @QueryParam("count") String count,
            @QueryParam("sortBy") String sortBy,
            @QueryParam("sortOrder") String sortOrder,
            @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded,
            @QueryParam("cursor") String cursor,
            @Context UriInfo uri) {
        // RFC 9865: a bare "?cursor" (no value) asks for the first page of cursor pagination.
        String effectiveCursor = cursor == null && uri.getQueryParameters().containsKey("cursor") ? "" : cursor;
        // Bound as text and parsed here: JAX-RS fails an Integer parameter it cannot convert with a 404.
        return listResources(
                filter,
                QueryParameters.integer("startIndex", startIndex),
                QueryParameters.integer("count", count),
                sortBy,
                sortOrder,
                attributes,
                excluded,
                effectiveCursor);
    }

    private Response listResources(
            String filter,
            Integer startIndex,
            Integer count,
            String sortBy,
            String sortOrder,
            String attributes,
            String excluded,
            String cursor) {
        String tenant = caller.tenant();
        AttributeSelection selection = selection(attributes, excluded);
        return db.withConnection(conn -> {
            var page =
                    list(conn, tenant, new ResourceSearch.Query(filter, startIndex, count, sortBy, sortOrder, cursor));
            // One query for the relation of the whole page, never one per resource.
            Map<UUID, List<Member>> related = selection.wants(relationAttribute())
                    ? relation(
                            conn,
                            tenant,
                            page.resources().stream().map(ResourceRow::id).toList())
                    : Map.of();
            return ScimResponses.json(
                            200,
                            ListResponses.of(
                                    page,
                                    row -> selection.apply(type(), render(baseUrl.get(), row, related.get(row.id())))))
                    .build();
        });
    }

    @PUT
    @Path("{id}")
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response put(
            @PathParam("id") String id,
            String body,
            @HeaderParam("If-Match") String ifMatch,
            @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded) {
        var json = ScimResponses.parseBody(body);
        UUID uuid = parseIdAfter(id, () -> ResourceNormalizer.normalize(type(), json));
        ResourceRow row = writer().replace(caller.origin(), uuid, json, ifMatch);
        return ok(row, selection(attributes, excluded));
    }

    @PATCH
    @Path("{id}")
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response patch(
            @PathParam("id") String id,
            String body,
            @HeaderParam("If-Match") String ifMatch,
            @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded) {
        var json = ScimResponses.parseBody(body);
        UUID uuid = parseIdAfter(id, () -> PatchEngine.validate(type(), json));
        ResourceRow row = writer().patch(caller.origin(), uuid, json, ifMatch);
        // RFC 7644 section 3.5.2: 204 is allowed, except when the client asked for attributes.
        if (attributes == null && excluded == null && patchAnswersNoContent()) {
            return Response.noContent().header("ETag", ETags.of(row.version())).build();
        }
        return ok(row, selection(attributes, excluded));
    }

    /** Whether this caller prefers 204 to 200-with-resource for PATCH (see ClientProfiles). */
    protected boolean patchAnswersNoContent() {
        return false;
    }

    /** POST {endpoint}/.search (RFC 7644 section 3.4.3): the query parameters of a list, sent as a body. */
    @POST
    @Path(".search")
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_READ)
    public Response search(String body) {
        SearchRequest q = SearchRequest.parse(ScimResponses.parseBody(body));
        return listResources(
                q.filter(),
                q.startIndex(),
                q.count(),
                q.sortBy(),
                q.sortOrder(),
                q.attributes(),
                q.excludedAttributes(),
                q.cursor());
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response remove(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        writer().delete(caller.origin(), parseId(id), ifMatch);
        return Response.noContent().build();
    }

    /** 200 with the resource, its ETag and its Location (RFC 7644 sections 3.4.1, 3.5.1, 3.5.2). */
    private Response ok(ResourceRow row, AttributeSelection selection) {
        ObjectNode full = renderWithRelation(row, selection);
        URI location = location(full); // before selection, which edits the node in place
        return ScimResponses.json(200, selection.apply(type(), full))
                .location(location)
                .header("ETag", ETags.of(row.version()))
                .build();
    }

    /** The resource before attribute selection, so meta.location is known even when the client excluded meta. */
    private ObjectNode renderWithRelation(ResourceRow row, AttributeSelection selection) {
        String tenant = caller.tenant();
        List<Member> related = selection.wants(relationAttribute())
                ? db.withConnection(
                        conn -> relation(conn, tenant, Set.of(row.id())).get(row.id()))
                : null;
        return render(baseUrl.get(), row, related);
    }

    private static URI location(ObjectNode rendered) {
        return URI.create(rendered.path("meta").path("location").asText());
    }

    private AttributeSelection selection(String attributes, String excluded) {
        return AttributeSelection.parse(type(), attributes, excluded);
    }

    /** Resource ids are UUIDs we assigned; anything else cannot name a resource, so it is a 404, not a 400. */
    private UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw notFound(id);
        }
    }

    /**
     * Syntax before existence: an id that cannot name a resource is a 404 only once the body has been found valid,
     * as it would be for a well-formed id that names nothing (the writers validate before their lookup).
     */
    private UUID parseIdAfter(String id, Runnable validateBody) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            validateBody.run();
            throw notFound(id);
        }
    }

    private ScimException notFound(String id) {
        return ScimException.notFound(type().name() + " " + id + " not found");
    }
}
