package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.scimledger.events.RequestOrigin;
import io.scimledger.write.UserEraser;
import io.scimledger.projection.ProjectionRebuilder;
import io.scimledger.publish.KafkaRelay;
import io.scimledger.publish.RelayStatus;
import io.scimledger.scim.ScimException;
import io.scimledger.security.Caller;
import io.scimledger.security.Scopes;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.util.UUID;

/** Operator endpoints, scope {@value Scopes#ADMIN} only: projection rebuild, erasure of a person, relay progress. */
@Path("/admin")
@Produces({JSON, ScimMediaType.SCIM_JSON})
@RolesAllowed(Scopes.ADMIN)
public class AdminResource {

    @Inject
    ProjectionRebuilder rebuilder;
    @Inject
    KafkaRelay relay;
    @Inject
    UserEraser eraser;
    @Inject
    Caller caller;

    /** Drops all projections and rebuilds them from the event log (docs/architecture.md, "Rebuilding"). */
    @POST
    @Path("projections/rebuild")
    public Response rebuild() {
        ProjectionRebuilder.Report r = rebuilder.rebuild();
        ObjectNode out = JsonNodeFactory.instance.objectNode()
                .put("eventsReplayed", r.eventsReplayed()).put("users", r.users()).put("groups", r.groups())
                .put("memberships", r.memberships()).put("millis", r.millis());
        return Response.ok(out.toString()).type(JSON).build();
    }

    /**
     * Erases a person (GDPR art. 17) by destroying their data key; see docs/audit.md, "Erasure". Body (optional):
     * {"reference": "<ticket id>"}. Erasing an already erased user answers 200 with erasedNow=false.
     */
    @POST
    @Path("tenants/{tenant}/Users/{id}/erasure")
    public Response erase(@PathParam("tenant") String tenant, @PathParam("id") String id, String body) {
        UUID userId;
        try {
            userId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ScimException.notFound("User " + id + " not found");
        }
        String reference = null;
        if (body != null && !body.isBlank()) {
            JsonNode ref = ScimResponses.parseBody(body).get("reference");
            reference = ref == null || ref.isNull() ? null : ref.asText();
        }
        RequestOrigin operator = caller.originIn(tenant);
        UserEraser.Result r = eraser.erase(operator, userId, reference);
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("userId", r.userId().toString())
                .put("tenant", tenant).put("erasedNow", r.erasedNow()).put("eventsAppended", r.eventsAppended());
        return Response.ok(out.toString()).type(JSON).build();
    }

    @GET
    @Path("relay")
    @WithSession
    public Uni<Response> relay() {
        return RelayStatus.<RelayStatus>listAll().map(rows -> {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("activeHere", relay.isActive());
            ArrayNode subs = out.putArray("subscriptions");
            for (RelayStatus s : rows) {
                subs.addObject().put("subscription", s.subscription).put("lastPosition", s.lastPosition)
                        .put("published", s.published)
                        .put("updatedAt", s.updatedAt == null ? null : s.updatedAt.toInstant().toString());
            }
            return Response.ok(out.toString()).type(JSON).build();
        });
    }
}
