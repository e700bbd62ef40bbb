package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.events.RequestOrigin;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.security.Caller;
import io.scimledger.security.Scopes;
import io.scimledger.tenants.ExtensionSchema;
import io.scimledger.tenants.Tenant;
import io.scimledger.tenants.TenantAdministration;
import io.scimledger.tenants.TenantName;
import io.scimledger.tenants.TenantRegistry;
import io.scimledger.tenants.TenantSettings;
import io.scimledger.tenants.TrustedIssuer;
import io.scimledger.write.UserEraser;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The tenant registry's API (docs/tenants.md). The platform operator ({@value Scopes#PLATFORM_ADMIN}) creates,
 * lists, suspends, resumes and deletes tenants and may administer any of them; a tenant's administrator
 * ({@value Scopes#ADMIN}) reads and changes its own tenant's settings, trusted issuers and provisioning tokens, and
 * gets 404 for any other tenant. Every change is an event of the tenant's stream in the log. Erasure of a person
 * lives here too: it is a tenant's administration, by the same two kinds of administrator.
 */
@Path("/admin/tenants")
@Produces({JSON, ScimMediaType.SCIM_JSON})
public class TenantsResource {

    @Inject
    Caller caller;

    @Inject
    TenantRegistry registry;

    @Inject
    TenantAdministration administration;

    @Inject
    Database db;

    @Inject
    UserEraser eraser;

    @ConfigProperty(name = "mp.jwt.verify.issuer")
    String platformIssuer;

    /** 404 unless the caller administers {@code tenant} and it is registered (a foreign tenant is not revealed). */
    static Tenant requireAdministered(Caller caller, TenantRegistry registry, String tenant) {
        if (!TenantName.isValid(tenant) || !caller.administers(tenant)) {
            throw ScimException.notFound("tenant '" + tenant + "' not found");
        }
        return registry.find(tenant).orElseThrow(() -> ScimException.notFound("tenant '" + tenant + "' not found"));
    }

    @POST
    @RolesAllowed(Scopes.PLATFORM_ADMIN)
    public Response create(String body) {
        JsonNode json = ScimResponses.parseBody(body);
        JsonNode name = JsonMembers.get(json, "name");
        if (name == null || !name.isTextual()) {
            throw ScimException.invalidValue("'name' is required");
        }
        TenantSettings settings = TenantSettings.DEFAULTS;
        JsonNode given = JsonMembers.get(json, "settings");
        if (given != null && !given.isNull()) {
            settings = settings.with(given);
        }
        Tenant t = administration.create(caller.originIn(TenantName.require(name.asText())), settings);
        return Response.created(URI.create("/admin/tenants/" + t.name()))
                .entity(json(t).toString())
                .type(JSON)
                .build();
    }

    @GET
    @RolesAllowed(Scopes.PLATFORM_ADMIN)
    public Response list() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode all = out.putArray("tenants");
        registry.all().forEach(t -> all.add(json(t)));
        return Response.ok(out.toString()).type(JSON).build();
    }

    @GET
    @Path("{tenant}")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response get(@PathParam("tenant") String tenant) {
        return Response.ok(json(requireAdministered(caller, registry, tenant)).toString())
                .type(JSON)
                .build();
    }

    @PATCH
    @Path("{tenant}/settings")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response changeSettings(@PathParam("tenant") String tenant, String body) {
        requireAdministered(caller, registry, tenant);
        Tenant t = administration.changeSettings(caller.originIn(tenant), ScimResponses.parseBody(body));
        return Response.ok(json(t).toString()).type(JSON).build();
    }

    @POST
    @Path("{tenant}/suspend")
    @RolesAllowed(Scopes.PLATFORM_ADMIN)
    public Response suspend(@PathParam("tenant") String tenant, String body) {
        requireAdministered(caller, registry, tenant);
        String reason = null;
        if (body != null && !body.isBlank()) {
            JsonNode r = JsonMembers.get(ScimResponses.parseBody(body), "reason");
            reason = r == null || r.isNull() ? null : r.asText();
        }
        return Response.ok(json(administration.suspend(caller.originIn(tenant), reason))
                        .toString())
                .type(JSON)
                .build();
    }

    @POST
    @Path("{tenant}/resume")
    @RolesAllowed(Scopes.PLATFORM_ADMIN)
    public Response resume(@PathParam("tenant") String tenant) {
        requireAdministered(caller, registry, tenant);
        return Response.ok(json(administration.resume(caller.originIn(tenant))).toString())
                .type(JSON)
                .build();
    }

    @DELETE
    @Path("{tenant}")
    @RolesAllowed(Scopes.PLATFORM_ADMIN)
    public Response delete(@PathParam("tenant") String tenant) {
        requireAdministered(caller, registry, tenant);
        administration.delete(caller.originIn(tenant));
        return Response.noContent().build();
    }

    @POST
    @Path("{tenant}/issuers")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response trustIssuer(@PathParam("tenant") String tenant, String body) {
        requireAdministered(caller, registry, tenant);
        TrustedIssuer issuer = TrustedIssuer.parse(ScimResponses.parseBody(body), platformIssuer);
        return Response.ok(json(administration.trustIssuer(caller.originIn(tenant), issuer))
                        .toString())
                .type(JSON)
                .build();
    }

    @DELETE
    @Path("{tenant}/issuers")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response removeIssuer(@PathParam("tenant") String tenant, @QueryParam("issuer") String issuer) {
        requireAdministered(caller, registry, tenant);
        if (issuer == null || issuer.isBlank()) {
            throw ScimException.invalidValue("name the issuer to remove: ?issuer=...");
        }
        return Response.ok(json(administration.removeIssuer(caller.originIn(tenant), issuer))
                        .toString())
                .type(JSON)
                .build();
    }

    @GET
    @Path("{tenant}/credentials")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response credentials(@PathParam("tenant") String tenant) {
        requireAdministered(caller, registry, tenant);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode list = out.putArray("credentials");
        db.withConnection(conn -> {
            for (var r : Database.query(
                    conn,
                    "SELECT credential_id, label, scopes, created, expires_at, revoked_at, "
                            + "last_used_at FROM tenant_credential WHERE tenant_id = $1 ORDER BY created",
                    tenant)) {
                ObjectNode c = list.addObject()
                        .put("id", r.getUUID("credential_id").toString())
                        .put("label", r.getString("label"));
                ArrayNode scopes = c.putArray("scopes");
                List.of(r.getString("scopes").split(" ")).forEach(scopes::add);
                c.put("created", time(r.getOffsetDateTime("created")));
                c.put("expiresAt", time(r.getOffsetDateTime("expires_at")));
                c.put("revokedAt", time(r.getOffsetDateTime("revoked_at")));
                c.put("lastUsedAt", time(r.getOffsetDateTime("last_used_at")));
            }
            return null;
        });
        return Response.ok(out.toString()).type(JSON).build();
    }

    /** Issues a provisioning token; the answer is the only place the token ever appears. */
    @POST
    @Path("{tenant}/credentials")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response issueCredential(@PathParam("tenant") String tenant, String body) {
        requireAdministered(caller, registry, tenant);
        JsonNode json = ScimResponses.parseBody(body);
        JsonNode label = JsonMembers.get(json, "label");
        if (label != null
                && !label.isNull()
                && (!label.isTextual() || label.asText().length() > 200)) {
            throw ScimException.invalidValue("'label' must be a string of at most 200 characters");
        }
        List<String> scopes = new ArrayList<>();
        JsonNode s = JsonMembers.get(json, "scopes");
        if (s != null && s.isArray()) {
            s.forEach(v -> scopes.add(v.asText()));
        }
        Instant expiresAt = null;
        JsonNode e = JsonMembers.get(json, "expiresAt");
        if (e != null && !e.isNull()) {
            try {
                expiresAt = Instant.parse(e.asText());
            } catch (DateTimeParseException ex) {
                throw ScimException.invalidValue("'expiresAt' must be an ISO-8601 instant, e.g. 2027-06-30T00:00:00Z");
            }
        }
        TenantAdministration.IssuedCredential c = administration.issueCredential(
                caller.originIn(tenant), label == null || label.isNull() ? null : label.asText(), scopes, expiresAt);
        ObjectNode out = JsonNodeFactory.instance
                .objectNode()
                .put("id", c.id().toString())
                .put("token", c.token())
                .put("label", c.label());
        ArrayNode sc = out.putArray("scopes");
        c.scopes().forEach(sc::add);
        out.put("expiresAt", c.expiresAt() == null ? null : c.expiresAt().toString());
        out.put("note", "store this token now: it is not kept and cannot be shown again");
        return Response.status(201)
                .entity(out.toString())
                .type(JSON)
                .header("Cache-Control", "no-store")
                .build();
    }

    @DELETE
    @Path("{tenant}/credentials/{id}")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response revokeCredential(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        requireAdministered(caller, registry, tenant);
        UUID credentialId;
        try {
            credentialId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ScimException.notFound("no provisioning token " + id);
        }
        administration.revokeCredential(caller.originIn(tenant), credentialId);
        return Response.noContent().build();
    }

    /** The tenant's registered extension schemas (docs/tenants.md, "Custom schema extensions"). */
    @GET
    @Path("{tenant}/schemas")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response schemas(@PathParam("tenant") String tenant) {
        Tenant t = requireAdministered(caller, registry, tenant);
        ObjectNode out = JsonNodeFactory.instance
                .objectNode()
                .put("totalResults", t.schemas().size());
        ArrayNode list = out.putArray("Resources");
        t.schemas().forEach(s -> list.add(schemaJson(t, s)));
        return Response.ok(out.toString()).type(JSON).build();
    }

    @GET
    @Path("{tenant}/schemas/{id}")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response schema(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        Tenant t = requireAdministered(caller, registry, tenant);
        ExtensionSchema s = t.schema(id).orElseThrow(() -> noSchema(tenant, id));
        return Response.ok(schemaJson(t, s).toString()).type(JSON).build();
    }

    /** Registers an extension schema for the tenant's Users (or Groups, with "resourceType": "Group"). */
    @POST
    @Path("{tenant}/schemas")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response registerSchema(@PathParam("tenant") String tenant, String body) {
        requireAdministered(caller, registry, tenant);
        ExtensionSchema s = parseSchema(body);
        Tenant t = administration.registerSchema(caller.originIn(tenant), s);
        return Response.created(URI.create("/admin/tenants/" + tenant + "/schemas/" + s.id()))
                .entity(schemaJson(t, t.schema(s.id()).orElseThrow()).toString())
                .type(JSON)
                .build();
    }

    /** Replaces a registered schema (same id, same resource type); see {@link TenantAdministration#changeSchema}. */
    @PUT
    @Path("{tenant}/schemas/{id}")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response changeSchema(@PathParam("tenant") String tenant, @PathParam("id") String id, String body) {
        Tenant before = requireAdministered(caller, registry, tenant);
        before.schema(id).orElseThrow(() -> noSchema(tenant, id));
        ExtensionSchema s = parseSchema(body);
        Tenant t = administration.changeSchema(caller.originIn(tenant), id, s);
        return Response.ok(schemaJson(t, t.schema(s.id()).orElseThrow()).toString())
                .type(JSON)
                .build();
    }

    @DELETE
    @Path("{tenant}/schemas/{id}")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response removeSchema(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        requireAdministered(caller, registry, tenant).schema(id).orElseThrow(() -> noSchema(tenant, id));
        administration.removeSchema(caller.originIn(tenant), id);
        return Response.noContent().build();
    }

    private static ExtensionSchema parseSchema(String body) {
        int bytes = body == null ? 0 : body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > ExtensionSchema.MAX_BYTES) {
            // checked before parsing, so an over-large document costs no parse
            return ExtensionSchema.parse(null, bytes);
        }
        return ExtensionSchema.parse(ScimResponses.parseBody(body), bytes);
    }

    private static ScimException noSchema(String tenant, String id) {
        return ScimException.notFound("tenant '" + tenant + "' has no schema '" + id + "'");
    }

    private static ObjectNode schemaJson(Tenant t, ExtensionSchema s) {
        ObjectNode o = s.toJson();
        o.put("location", "/admin/tenants/" + t.name() + "/schemas/" + s.id());
        o.put("auditHistory", "/audit/Tenant/" + TenantName.streamId(t.name()) + "/history");
        return o;
    }

    /**
     * Erases a person (GDPR art. 17) by destroying their data key; see docs/audit.md, "Erasure". Body (optional):
     * {"reference": "<ticket id>"}. Erasing an already erased user answers 200 with erasedNow=false.
     */
    @POST
    @Path("{tenant}/Users/{id}/erasure")
    @RolesAllowed({Scopes.ADMIN, Scopes.PLATFORM_ADMIN})
    public Response erase(@PathParam("tenant") String tenant, @PathParam("id") String id, String body) {
        requireAdministered(caller, registry, tenant);
        UUID userId;
        try {
            userId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ScimException.notFound("User " + id + " not found");
        }
        String reference = null;
        if (body != null && !body.isBlank()) {
            JsonNode ref = JsonMembers.get(ScimResponses.parseBody(body), "reference");
            reference = ref == null || ref.isNull() ? null : ref.asText();
        }
        RequestOrigin operator = caller.originIn(tenant);
        UserEraser.Result r = eraser.erase(operator, userId, reference);
        ObjectNode out = JsonNodeFactory.instance
                .objectNode()
                .put("userId", r.userId().toString())
                .put("tenant", tenant)
                .put("erasedNow", r.erasedNow())
                .put("eventsAppended", r.eventsAppended());
        return Response.ok(out.toString()).type(JSON).build();
    }

    private static String time(java.time.OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }

    static ObjectNode json(Tenant t) {
        ObjectNode o = JsonNodeFactory.instance
                .objectNode()
                .put("name", t.name())
                .put("status", t.status().name());
        o.set("settings", t.settings().toJson());
        ArrayNode issuers = o.putArray("issuers");
        t.issuers().forEach(i -> issuers.add(i.toJson()));
        ArrayNode schemas = o.putArray("schemas");
        t.schemas().forEach(s -> schemas.add(s.id()));
        o.put("version", t.version())
                .put("created", t.created().toString())
                .put("lastModified", t.lastModified().toString());
        o.put("auditHistory", "/audit/Tenant/" + TenantName.streamId(t.name()) + "/history");
        return o;
    }
}
