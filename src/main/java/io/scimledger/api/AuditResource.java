package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.audit.AuditLog;
import io.scimledger.audit.ChainVerifier;
import io.scimledger.events.JsonSupport;
import io.scimledger.events.StreamType;
import io.scimledger.scim.ScimException;
import io.scimledger.security.Caller;
import io.scimledger.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * The auditor's API (docs/audit.md), scope {@value Scopes#AUDIT_READ} only; SCIM scopes do not grant it. Every
 * answer comes from the event log, never from the projections, and is confined to the token's tenant: another
 * tenant's resource is "not found". Responses are {@code application/json} (also when the client accepts only
 * {@code application/scim+json}); errors are SCIM error JSON.
 *
 * <ul>
 *   <li>{@code GET /audit/{Users|Groups}/{id}/history?after=&limit=}: the resource's events in version order, with
 *       who, when, from where, which request, and attribute-by-attribute before/after values. Paged by event
 *       position: {@code next} is the link to the next page (absent on the last), {@code after} defaults to 0,
 *       {@code limit} to 100 (1..1000).</li>
 *   <li>{@code GET /audit/{Users|Groups}/{id}/as-of?time=}: the resource as it was at that instant (ISO-8601, e.g.
 *       {@code 2026-05-04T09:15:02.120Z} or with an offset). {@code time} is compared with each event's
 *       {@code occurred_at}, the application's clock when the event was appended, with microsecond precision; an
 *       event at exactly {@code time} is included. 404 if the resource did not exist then.</li>
 *   <li>{@code GET /audit/verify}: recomputes every hash chain of the tenant.</li>
 * </ul>
 */
@Path("/audit")
@Produces({JSON, ScimMediaType.SCIM_JSON})
@RolesAllowed(Scopes.AUDIT_READ)
public class AuditResource {

    @Inject
    Caller caller;
    @Inject
    AuditLog log;
    @Inject
    ChainVerifier verifier;

    @GET
    @Path("{type}/{id}/history")
    public Response history(@PathParam("type") String type, @PathParam("id") String id,
                            @QueryParam("after") String after, @QueryParam("limit") String limit) {
        String tenant = caller.tenant();
        StreamType streamType = streamType(type);
        UUID uuid = parseId(id);
        long afterPosition = parseLong("after", after, 0, 0, Long.MAX_VALUE);
        int max = (int) parseLong("limit", limit, AuditLog.DEFAULT_LIMIT, 1, AuditLog.MAX_LIMIT);
        AuditLog.HistoryPage page = log.history(tenant, streamType, uuid, afterPosition, max);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("resourceType", streamType.name());
        out.put("id", uuid.toString());
        out.set("events", page.events());
        if (page.nextAfter() != null) {
            out.put("nextAfter", page.nextAfter());
            out.put("next", "/audit/" + type + "/" + uuid + "/history?after=" + page.nextAfter() + "&limit=" + max);
        }
        return json(out);
    }

    @GET
    @Path("{type}/{id}/as-of")
    public Response asOf(@PathParam("type") String type, @PathParam("id") String id,
                         @QueryParam("time") String time) {
        String tenant = caller.tenant();
        StreamType streamType = streamType(type);
        UUID uuid = parseId(id);
        Instant instant = parseTime(time);
        ObjectNode out = log.asOf(tenant, streamType, uuid, instant).orElseThrow(() -> ScimException.notFound(
                streamType.name() + " " + uuid + " did not exist at " + instant + " in this tenant's log"));
        return json(out);
    }

    @GET
    @Path("verify")
    public Response verify() {
        return json(verifier.verify(caller.tenant()));
    }

    private static StreamType streamType(String path) {
        return switch (path) {
            case "Users" -> StreamType.User;
            case "Groups" -> StreamType.Group;
            default -> throw ScimException.notFound("no such endpoint or resource");
        };
    }

    private static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ScimException.notFound("no resource with id " + id);
        }
    }

    private static long parseLong(String name, String value, long dflt, long min, long max) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            long v = Long.parseLong(value.trim());
            if (v < min || v > max) {
                throw ScimException.invalidValue(name + " must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ScimException.invalidValue(name + " must be an integer");
        }
    }

    static Instant parseTime(String time) {
        if (time == null || time.isBlank()) {
            throw ScimException.invalidValue("time is required (ISO-8601, e.g. 2026-05-04T09:15:02Z)");
        }
        try {
            return OffsetDateTime.parse(time.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw ScimException.invalidValue("time must be an ISO-8601 date-time with a zone offset or Z, e.g. "
                    + "2026-05-04T09:15:02.120Z");
        }
    }

    private static Response json(JsonNode body) {
        try {
            return Response.ok(JsonSupport.MAPPER.writeValueAsBytes(body)).type(JSON + ";charset=UTF-8").build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }
}
