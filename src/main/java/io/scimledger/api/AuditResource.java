package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.audit.AuditExport;
import io.scimledger.audit.AuditLog;
import io.scimledger.audit.AuditReports;
import io.scimledger.audit.ChainVerifier;
import io.scimledger.audit.HistoryJson;
import io.scimledger.audit.MembershipIntervals;
import io.scimledger.audit.ResourceFinder;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *   <li>{@code GET /audit/search?q=&type=&continue=} and {@code GET /audit/search?id=&id=}: finds users and groups
 *       in the log, deleted and erased ones included ({@link ResourceFinder}).</li>
 *   <li>{@code GET /audit/verify}: recomputes every hash chain of the tenant.</li>
 *   <li>{@code GET /audit/Users/{id}/memberships?at=}: the user's group memberships as intervals, direct and
 *       through nested groups ({@link MembershipIntervals}).</li>
 *   <li>{@code GET /audit/deprovisionings?from=&to=&after=&limit=}: deactivations and deletions of users in
 *       {@code [from, to)} ({@link AuditReports#deprovisionings}).</li>
 *   <li>{@code GET /audit/changes?subject=&clientId=&from=&to=&after=&limit=}: every event made by that token
 *       subject and/or OAuth client in {@code [from, to)} ({@link AuditReports#changesBy}).</li>
 * </ul>
 *
 * <p>Exports: history, memberships, deprovisionings and changes accept {@code format=ndjson|csv} (or
 * {@code Accept: application/x-ndjson} / {@code text/csv}) and then stream the whole answer, unpaged, with flat
 * memory ({@link AuditExport}).
 *
 * <p>The signed checkpoints under {@code /audit/checkpoints} and {@code /audit/verify/checkpoints} are in
 * {@link CheckpointResource}.
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

    @Inject
    MembershipIntervals memberships;

    @Inject
    AuditReports reports;

    @Inject
    ResourceFinder finder;

    static final List<String> HISTORY_COLUMNS = List.of(
            "position",
            "eventId",
            "version",
            "type",
            "occurredAt",
            "actor.subject",
            "actor.clientId",
            "clientAddress",
            "requestId",
            "txn",
            "changed",
            "changes",
            "request",
            "personalDataReadable");
    static final List<String> MEMBERSHIP_COLUMNS = List.of("groupId", "groupDisplayName", "type", "via", "from", "to");
    static final List<String> DEPROVISIONING_COLUMNS = List.of(
            "position",
            "userId",
            "eventId",
            "type",
            "eventType",
            "occurredAt",
            "actor",
            "clientId",
            "requestId",
            "clientAddress",
            "requestReceivedAt",
            "latencyMs");
    static final List<String> CHANGE_COLUMNS = List.of(
            "position",
            "eventId",
            "resourceType",
            "resourceId",
            "version",
            "type",
            "occurredAt",
            "actor.subject",
            "actor.clientId",
            "clientAddress",
            "requestId",
            "txn",
            "changed");

    @GET
    @Path("{type}/{id}/history")
    @Produces({JSON, ScimMediaType.SCIM_JSON, AuditExport.NDJSON, AuditExport.CSV})
    public Response history(
            @PathParam("type") String type,
            @PathParam("id") String id,
            @QueryParam("after") String after,
            @QueryParam("limit") String limit,
            @QueryParam("format") String format,
            @Context HttpHeaders headers) {
        String tenant = caller.tenant();
        StreamType streamType = streamType(type);
        UUID uuid = parseId(id);
        AuditExport.Format export = exportFormat(format, headers);
        if (export != null) {
            AuditExport.Source source = (a, n) -> {
                List<JsonNode> rows = new ArrayList<>(n);
                Long next = log.history(tenant, streamType, uuid, a, n, h -> rows.add(HistoryJson.toNode(h)));
                return new AuditExport.Batch(rows, next);
            };
            return export(export, "history-" + uuid, HISTORY_COLUMNS, source.read(0, AuditExport.BATCH), source);
        }
        long afterPosition = parseLong("after", after, 0, 0, Long.MAX_VALUE);
        int max = (int) parseLong("limit", limit, AuditLog.DEFAULT_LIMIT, 1, AuditLog.MAX_LIMIT);
        // Written with a generator into one buffer, event by event (see HistoryJson); a 404 is thrown before any
        // of it is sent.
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        try (JsonGenerator g = JsonSupport.MAPPER.getFactory().createGenerator(body)) {
            g.writeStartObject();
            g.writeStringField("resourceType", streamType.name());
            g.writeStringField("id", uuid.toString());
            g.writeArrayFieldStart("events");
            Long next = log.history(tenant, streamType, uuid, afterPosition, max, h -> {
                try {
                    HistoryJson.write(h, g);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            g.writeEndArray();
            if (next != null) {
                g.writeNumberField("nextAfter", next);
                g.writeStringField("next", "/audit/" + type + "/" + uuid + "/history?after=" + next + "&limit=" + max);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Response.ok(body.toByteArray()).type(JSON + ";charset=UTF-8").build();
    }

    @GET
    @Path("{type}/{id}/as-of")
    public Response asOf(@PathParam("type") String type, @PathParam("id") String id, @QueryParam("time") String time) {
        String tenant = caller.tenant();
        StreamType streamType = streamType(type);
        UUID uuid = parseId(id);
        Instant instant = parseTime(time);
        ObjectNode out = log.asOf(tenant, streamType, uuid, instant)
                .orElseThrow(() -> ScimException.notFound(
                        streamType.name() + " " + uuid + " did not exist at " + instant + " in this tenant's log"));
        return json(out);
    }

    /**
     * Finds resources in the tenant's log: {@code q} (an id, or text contained in userName, displayName or
     * externalId), optionally of one {@code type} ({@code Users}/{@code Groups}), continuing a scan that stopped
     * with {@code continue}; or one or more exact {@code id}s (for naming the members of a group).
     */
    @GET
    @Path("search")
    public Response search(
            @QueryParam("q") String q,
            @QueryParam("type") String type,
            @QueryParam("continue") String from,
            @QueryParam("id") List<String> ids) {
        String tenant = caller.tenant();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (ids != null && !ids.isEmpty()) {
            if (ids.size() > ResourceFinder.MAX_IDS) {
                throw ScimException.invalidValue("at most " + ResourceFinder.MAX_IDS + " ids per call");
            }
            java.util.Set<UUID> wanted = new java.util.LinkedHashSet<>();
            for (String id : ids) {
                try {
                    wanted.add(UUID.fromString(id.trim()));
                } catch (IllegalArgumentException e) {
                    throw ScimException.invalidValue("id must be a resource id (UUID): " + id);
                }
            }
            finder.describe(tenant, wanted).forEach(out.putArray("resources")::add);
            return json(out);
        }
        if (q == null || q.isBlank()) {
            throw ScimException.invalidValue("q is required: an id, or part of a userName, displayName or externalId");
        }
        StreamType streamType = type == null || type.isBlank()
                ? null
                : switch (type) {
                    case "Users" -> StreamType.User;
                    case "Groups" -> StreamType.Group;
                    default -> throw ScimException.invalidValue("type must be Users or Groups");
                };
        ResourceFinder.Cursor cursor = null;
        if (from != null && !from.isBlank()) {
            cursor = ResourceFinder.Cursor.parse(from.trim());
            if (cursor == null) {
                throw ScimException.invalidValue("continue must be a value from a previous answer's continue");
            }
        }
        ResourceFinder.Result result = finder.search(tenant, q, streamType, cursor);
        result.matches().forEach(out.putArray("resources")::add);
        out.put("scanned", result.scanned());
        out.put("complete", result.continueFrom() == null);
        if (result.continueFrom() != null) {
            out.put("continue", result.continueFrom().token());
        }
        return json(out);
    }

    @GET
    @Path("verify")
    public Response verify() {
        return json(verifier.verify(caller.tenant()));
    }

    @GET
    @Path("Users/{id}/memberships")
    @Produces({JSON, ScimMediaType.SCIM_JSON, AuditExport.NDJSON, AuditExport.CSV})
    public Response memberships(
            @PathParam("id") String id,
            @QueryParam("at") String at,
            @QueryParam("format") String format,
            @Context HttpHeaders headers) {
        String tenant = caller.tenant();
        UUID uuid = parseId(id);
        Instant instant = at == null || at.isBlank() ? null : parseTime("at", at);
        AuditExport.Format export = exportFormat(format, headers);
        List<ObjectNode> intervals = memberships.forUser(tenant, uuid, instant);
        if (export != null) {
            return export(export, "memberships-" + uuid, MEMBERSHIP_COLUMNS, AuditExport.all(intervals), null);
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("userId", uuid.toString());
        if (instant != null) {
            out.put("at", instant.toString());
        }
        intervals.forEach(out.putArray("memberships")::add);
        return json(out);
    }

    @GET
    @Path("deprovisionings")
    @Produces({JSON, ScimMediaType.SCIM_JSON, AuditExport.NDJSON, AuditExport.CSV})
    public Response deprovisionings(
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("after") String after,
            @QueryParam("limit") String limit,
            @QueryParam("format") String format,
            @Context HttpHeaders headers) {
        String tenant = caller.tenant();
        Instant f = from == null || from.isBlank() ? AuditReports.BEGINNING : parseTime("from", from);
        Instant t = to == null || to.isBlank() ? AuditReports.END : parseTime("to", to);
        long afterPosition = parseLong("after", after, 0, 0, Long.MAX_VALUE);
        int max = (int) parseLong("limit", limit, AuditLog.DEFAULT_LIMIT, 1, AuditLog.MAX_LIMIT);
        AuditExport.Format export = exportFormat(format, headers);
        AuditExport.Source source = (a, n) -> batch(reports.deprovisionings(tenant, f, t, a, n));
        if (export != null) {
            return export(export, "deprovisionings", DEPROVISIONING_COLUMNS, source.read(0, AuditExport.BATCH), source);
        }
        AuditReports.Page page = reports.deprovisionings(tenant, f, t, afterPosition, max);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("from", from);
        query.put("to", to);
        return json(pageBody("deprovisionings", page, "/audit/deprovisionings", query, max, f, t));
    }

    @GET
    @Path("changes")
    @Produces({JSON, ScimMediaType.SCIM_JSON, AuditExport.NDJSON, AuditExport.CSV})
    public Response changes(
            @QueryParam("subject") String subject,
            @QueryParam("clientId") String clientId,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("after") String after,
            @QueryParam("limit") String limit,
            @QueryParam("format") String format,
            @Context HttpHeaders headers) {
        String tenant = caller.tenant();
        String s = subject == null || subject.isBlank() ? null : subject;
        String c = clientId == null || clientId.isBlank() ? null : clientId;
        if (s == null && c == null) {
            throw ScimException.invalidValue("subject or clientId is required");
        }
        AuditReports.Actor actor = new AuditReports.Actor(s, c);
        Instant f = from == null || from.isBlank() ? AuditReports.BEGINNING : parseTime("from", from);
        Instant t = to == null || to.isBlank() ? AuditReports.END : parseTime("to", to);
        long afterPosition = parseLong("after", after, 0, 0, Long.MAX_VALUE);
        int max = (int) parseLong("limit", limit, AuditLog.DEFAULT_LIMIT, 1, AuditLog.MAX_LIMIT);
        AuditExport.Format export = exportFormat(format, headers);
        AuditExport.Source source = (a, n) -> batch(reports.changesBy(tenant, actor, f, t, a, n));
        if (export != null) {
            return export(export, "changes", CHANGE_COLUMNS, source.read(0, AuditExport.BATCH), source);
        }
        AuditReports.Page page = reports.changesBy(tenant, actor, f, t, afterPosition, max);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("subject", s);
        query.put("clientId", c);
        query.put("from", from);
        query.put("to", to);
        ObjectNode out = pageBody("events", page, "/audit/changes", query, max, f, t);
        if (s != null) {
            out.put("subject", s);
        }
        if (c != null) {
            out.put("clientId", c);
        }
        return json(out);
    }

    private static AuditExport.Batch batch(AuditReports.Page page) {
        return new AuditExport.Batch(page.rows(), page.nextAfter());
    }

    private static ObjectNode pageBody(
            String field,
            AuditReports.Page page,
            String path,
            Map<String, String> query,
            int max,
            Instant from,
            Instant to) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (from != AuditReports.BEGINNING) {
            out.put("from", from.toString());
        }
        if (to != AuditReports.END) {
            out.put("to", to.toString());
        }
        page.rows().forEach(out.putArray(field)::add);
        if (page.nextAfter() != null) {
            StringBuilder next = new StringBuilder(path).append('?');
            query.forEach((k, v) -> {
                if (v != null && !v.isBlank()) {
                    next.append(k)
                            .append('=')
                            .append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                            .append('&');
                }
            });
            next.append("after=").append(page.nextAfter()).append("&limit=").append(max);
            out.put("nextAfter", page.nextAfter());
            out.put("next", next.toString());
        }
        return out;
    }

    /** format= wins; otherwise an Accept header naming NDJSON or CSV (and not JSON) asks for an export. */
    private static AuditExport.Format exportFormat(String format, HttpHeaders headers) {
        if (format != null && !format.isBlank()) {
            return switch (format.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "ndjson" -> AuditExport.Format.NDJSON;
                case "csv" -> AuditExport.Format.CSV;
                case "json" -> null;
                default -> throw ScimException.invalidValue("format must be json, ndjson or csv");
            };
        }
        if (headers == null) {
            return null;
        }
        List<String> accept = headers.getRequestHeader(HttpHeaders.ACCEPT);
        if (accept == null) {
            return null;
        }
        String all = String.join(",", accept).toLowerCase(java.util.Locale.ROOT);
        if (all.contains("json") && !all.contains(AuditExport.NDJSON)) {
            return null;
        }
        if (all.contains(AuditExport.NDJSON)) {
            return AuditExport.Format.NDJSON;
        }
        if (all.contains(AuditExport.CSV)) {
            return AuditExport.Format.CSV;
        }
        return null;
    }

    private static Response export(
            AuditExport.Format format,
            String name,
            List<String> columns,
            AuditExport.Batch first,
            AuditExport.Source source) {
        return Response.ok(AuditExport.stream(format, columns, first, source))
                .type(format.mediaType + ";charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"audit-" + name + "." + format.extension + "\"")
                .build();
    }

    private static StreamType streamType(String path) {
        return switch (path) {
            case "Users" -> StreamType.User;
            case "Groups" -> StreamType.Group;
            // the tenant's own administration (registry, settings, issuers, tokens): docs/tenants.md
            case "Tenant" -> StreamType.Tenant;
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

    static long parseLong(String name, String value, long dflt, long min, long max) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        if (!QueryParameters.isInteger(value.trim())) {
            throw ScimException.invalidValue(
                    name + " must be an integer"); // ASCII digits only, as in the URLs we issue
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
        return parseTime("time", time);
    }

    static Instant parseTime(String name, String time) {
        if (time == null || time.isBlank()) {
            throw ScimException.invalidValue(name + " is required (ISO-8601, e.g. 2026-05-04T09:15:02Z)");
        }
        try {
            return OffsetDateTime.parse(time.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw ScimException.invalidValue(name + " must be an ISO-8601 date-time with a zone offset or Z, e.g. "
                    + "2026-05-04T09:15:02.120Z");
        }
    }

    static Response json(JsonNode body) {
        try {
            return Response.ok(JsonSupport.MAPPER.writeValueAsBytes(body))
                    .type(JSON + ";charset=UTF-8")
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }
}
