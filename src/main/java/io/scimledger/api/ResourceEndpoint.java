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
import io.scimledger.tenants.Tenant;
import io.scimledger.write.ETags;
import io.scimledger.write.ResourceWriter;
import io.smallrye.mutiny.Uni;
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

    /** The resource type as the tenant sees it (core schema plus the tenant's registered extensions). */
    protected abstract ResourceTypeDefinition type(Tenant tenant);

    /** "User" or "Group", for error messages written before the tenant is known. */
    protected abstract String typeName();

    /** "groups" for a user, "members" for a group. */
    protected abstract String relationAttribute();

    protected abstract Uni<Map<UUID, List<Member>>> relation(SqlClient conn, String tenant, Collection<UUID> ids);

    protected abstract Uni<Optional<ResourceRow>> find(SqlClient conn, String tenant, UUID id);

    protected abstract Uni<ResourceSearch.Page<ResourceRow>> list(
            SqlClient conn, String tenant, ResourceTypeDefinition type, ResourceSearch.Query query);

    protected abstract ObjectNode render(String base, ResourceRow row, List<Member> relation);

    /**
     * The resource and, when {@code withRelation}, its relation; two statements unless an endpoint knows one
     * ({@link UsersResource}). The relation is null when not asked for.
     */
    protected Uni<Optional<ResourceQueries.WithRelation>> findWithRelation(
            SqlClient conn, String tenant, UUID id, boolean withRelation) {
        return find(conn, tenant, id).flatMap(found -> {
            if (found.isEmpty() || !withRelation) {
                return Uni.createFrom().item(found.map(row -> new ResourceQueries.WithRelation(row, null)));
            }
            return relation(conn, tenant, Set.of(id))
                    .map(related -> Optional.of(new ResourceQueries.WithRelation(found.get(), related.get(id))));
        });
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
        return ScimResponses.json(201, selection.apply(type(caller.registered()), full))
                .location(location)
                .header("ETag", ETags.of(row.version()))
                .build();
    }

    /**
     * Reads return {@link Uni} and run on the event loop from the request to the answer: no worker thread, and
     * each statement borrows a pooled connection only while it runs (docs/decisions/0006-blocking-write-path.md).
     */
    @GET
    @Path("{id}")
    @RolesAllowed(Scopes.SCIM_READ)
    public Uni<Response> get(
            @PathParam("id") String id,
            @QueryParam("attributes") String attributes,
            @QueryParam("excludedAttributes") String excluded,
            @HeaderParam("If-None-Match") String ifNoneMatch) {
        String base = baseUrl.get(); // reads the request: now, on the request's own thread
        return caller.registeredAsync().flatMap(tenant -> {
            UUID uuid = parseId(id);
            ResourceTypeDefinition type = type(tenant);
            AttributeSelection selection = AttributeSelection.parse(type, attributes, excluded);
            return db.read(conn -> findWithRelation(conn, tenant.name(), uuid, selection.wants(relationAttribute())))
                    .map(found -> {
                        ResourceRow row = found.orElseThrow(() -> notFound(id)).row();
                        if (ifNoneMatch != null && ETags.matchesAny(ifNoneMatch, row.version())) {
                            return Response.notModified()
                                    .header("ETag", ETags.of(row.version()))
                                    .build();
                        }
                        ObjectNode full = render(base, row, found.get().related());
                        URI location = location(full); // before selection, which edits the node in place
                        return ScimResponses.json(200, selection.apply(type, full))
                                .location(location)
                                .header("ETag", ETags.of(row.version()))
                                .build();
                    });
        });
    }

    @GET
    @RolesAllowed(Scopes.SCIM_READ)
    public Uni<Response> list(
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

    private Uni<Response> listResources(
            String filter,
            Integer startIndex,
            Integer count,
            String sortBy,
            String sortOrder,
            String attributes,
            String excluded,
            String cursor) {
        String base = baseUrl.get(); // reads the request: now, on the request's own thread
        return caller.registeredAsync().flatMap(tenant -> {
            ResourceTypeDefinition type = type(tenant);
            AttributeSelection selection = AttributeSelection.parse(type, attributes, excluded);
            var query = new ResourceSearch.Query(filter, startIndex, count, sortBy, sortOrder, cursor);
            return db.read(conn -> list(conn, tenant.name(), type, query).flatMap(page -> {
                        if (!selection.wants(relationAttribute())
                                || page.resources().isEmpty()) {
                            return Uni.createFrom().item(new PageWithRelation(page, Map.of()));
                        }
                        // One query for the relation of the whole page, never one per resource.
                        List<UUID> ids =
                                page.resources().stream().map(ResourceRow::id).toList();
                        return relation(conn, tenant.name(), ids).map(related -> new PageWithRelation(page, related));
                    }))
                    .map(p -> ScimResponses.json(
                                    200,
                                    ListResponses.of(
                                            p.page(),
                                            row -> selection.apply(
                                                    type,
                                                    render(
                                                            base,
                                                            row,
                                                            p.related().get(row.id())))))
                            .build());
        });
    }

    private record PageWithRelation(ResourceSearch.Page<ResourceRow> page, Map<UUID, List<Member>> related) {}

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
        UUID uuid = parseIdAfter(id, () -> ResourceNormalizer.normalize(type(caller.registered()), json));
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
        UUID uuid = parseIdAfter(id, () -> PatchEngine.validate(type(caller.registered()), json));
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
    public Uni<Response> search(String body) {
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
        return ScimResponses.json(200, selection.apply(type(caller.registered()), full))
                .location(location)
                .header("ETag", ETags.of(row.version()))
                .build();
    }

    /** The resource before attribute selection, so meta.location is known even when the client excluded meta. */
    private ObjectNode renderWithRelation(ResourceRow row, AttributeSelection selection) {
        String tenant = caller.tenant();
        List<Member> related = selection.wants(relationAttribute())
                ? db.withConnection(conn ->
                        Database.await(relation(conn, tenant, Set.of(row.id()))).get(row.id()))
                : null;
        return render(baseUrl.get(), row, related);
    }

    private static URI location(ObjectNode rendered) {
        return URI.create(rendered.path("meta").path("location").asText());
    }

    private AttributeSelection selection(String attributes, String excluded) {
        return AttributeSelection.parse(type(caller.registered()), attributes, excluded);
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
        return ScimException.notFound(typeName() + " " + id + " not found");
    }
}
