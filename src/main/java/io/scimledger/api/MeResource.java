package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;
import static io.scimledger.api.ScimMediaType.SCIM_JSON;

import io.scimledger.db.Database;
import io.scimledger.projection.ResourceQueries;
import io.scimledger.projection.ResourceRow;
import io.scimledger.projection.ResourceSearch;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.ScimSchemas;
import io.scimledger.security.Caller;
import io.scimledger.security.Scopes;
import io.scimledger.tenants.TenantSchemas;
import io.scimledger.write.ETags;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.util.Set;

/**
 * /Me (RFC 7644 section 3.11). Provisioning clients act for many users, so by default the token's subject names no
 * user and the endpoint answers 501, as the RFC allows. With {@code scim.me.enabled=true}, GET resolves the subject
 * as a userName of the token's tenant; changes still go through /Users.
 */
@Path("/scim/v2/Me")
@Produces({SCIM_JSON, JSON})
@RolesAllowed(Scopes.SCIM_READ)
public class MeResource {

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

    @GET
    public Response get() {
        if (!caller.settings().meEnabled()) {
            throw notImplemented();
        }
        String tenant = caller.tenant();
        String subject = caller.subject();
        if (subject == null || subject.isBlank()) {
            throw ScimException.notFound("the token has no subject");
        }
        return db.withConnection(conn -> {
            var page = Database.await(search.users(
                    conn,
                    tenant,
                    TenantSchemas.userType(caller.registered()),
                    new ResourceSearch.Query(
                            "userName eq \"" + subject.replace("\\", "\\\\").replace("\"", "\\\"") + "\"",
                            1,
                            1,
                            null,
                            null)));
            if (page.resources().isEmpty()) {
                throw ScimException.notFound("no User with userName equal to the token's subject");
            }
            ResourceRow row = page.resources().get(0);
            var groups = Database.await(queries.groupsOf(conn, tenant, Set.of(row.id())))
                    .get(row.id());
            return ScimResponses.json(200, ResourceRenderer.user(baseUrl.get(), row, groups))
                    .header("ETag", ETags.of(row.version()))
                    .build();
        });
    }

    @POST
    public Response post() {
        throw notImplemented();
    }

    @PUT
    public Response put() {
        throw notImplemented();
    }

    @PATCH
    public Response patch() {
        throw notImplemented();
    }

    @DELETE
    public Response delete() {
        throw notImplemented();
    }

    private static ScimException notImplemented() {
        return new ScimException(501, null, "/Me is not supported: use /" + ScimSchemas.USER_TYPE.name() + "s");
    }
}
