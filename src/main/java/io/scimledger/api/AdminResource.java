package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.scimledger.projection.ProjectionRebuilder;
import io.scimledger.publish.KafkaRelay;
import io.scimledger.publish.RelayStatus;
import io.scimledger.security.Caller;
import io.scimledger.security.Scopes;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

/**
 * The platform operator's endpoints ({@value Scopes#PLATFORM_ADMIN}): projection rebuild and relay progress. A
 * tenant's administration, erasure included: {@link TenantsResource}.
 */
@Path("/admin")
@Produces({JSON, ScimMediaType.SCIM_JSON})
public class AdminResource {

    @Inject
    ProjectionRebuilder rebuilder;

    @Inject
    KafkaRelay relay;

    @Inject
    Caller caller;

    /**
     * Rebuilds all projections from the event log beside the live ones and swaps them in, while SCIM requests keep
     * being answered (docs/decisions/0012-online-projection-rebuild.md).
     */
    @POST
    @Path("projections/rebuild")
    @RolesAllowed(Scopes.PLATFORM_ADMIN)
    public Response rebuild() {
        ProjectionRebuilder.Report r = rebuilder.rebuild();
        ObjectNode out = JsonNodeFactory.instance
                .objectNode()
                .put("eventsReplayed", r.eventsReplayed())
                .put("eventsFolded", r.eventsFolded())
                .put("eventsCaughtUp", r.eventsCaughtUp())
                .put("catchUpRounds", r.catchUpRounds())
                .put("users", r.users())
                .put("groups", r.groups())
                .put("memberships", r.memberships())
                .put("millis", r.millis())
                .put("writersPausedMillis", r.writersPausedMillis())
                .put("eventsPerSecond", r.eventsPerSecond());
        return Response.ok(out.toString()).type(JSON).build();
    }

    @GET
    @Path("relay")
    @RolesAllowed(Scopes.PLATFORM_ADMIN)
    @WithSession
    public Uni<Response> relay() {
        return RelayStatus.<RelayStatus>listAll().map(rows -> {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("activeHere", relay.isActive());
            ArrayNode subs = out.putArray("subscriptions");
            for (RelayStatus s : rows) {
                subs.addObject()
                        .put("subscription", s.subscription)
                        .put("lastPosition", s.lastPosition)
                        .put("published", s.published)
                        .put(
                                "updatedAt",
                                s.updatedAt == null
                                        ? null
                                        : s.updatedAt.toInstant().toString());
            }
            return Response.ok(out.toString()).type(JSON).build();
        });
    }
}
