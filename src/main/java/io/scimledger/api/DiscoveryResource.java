package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;
import static io.scimledger.api.ScimMediaType.SCIM_JSON;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.projection.ResourceSearch;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributeJson;
import io.scimledger.scim.schema.DiscoverySchemas;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.SchemaDefinition;
import io.scimledger.scim.schema.ScimSchemas;
import io.scimledger.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * Discovery (RFC 7644 section 4): what this server supports, rendered from the same schema definitions that
 * validate requests, so the description cannot drift from the behaviour.
 */
@Path("/scim/v2")
@Produces({SCIM_JSON, JSON})
@RolesAllowed(Scopes.SCIM_READ)
public class DiscoveryResource {

    static final String SPC_URN = DiscoverySchemas.SPC_URN;
    static final String RESOURCE_TYPE_URN = DiscoverySchemas.RESOURCE_TYPE_URN;
    static final String SCHEMA_URN = DiscoverySchemas.SCHEMA_URN;

    @Inject
    BaseUrl baseUrl;

    @Inject
    io.scimledger.projection.Cursors cursors;

    @Inject
    io.scimledger.security.Caller caller;

    @GET
    @Path("ServiceProviderConfig")
    public Response serviceProviderConfig() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putArray("schemas").add(SPC_URN);
        out.put("documentationUri", "https://www.rfc-editor.org/rfc/rfc7644");
        out.putObject("patch").put("supported", true);
        out.putObject("bulk")
                .put("supported", true)
                .put("maxOperations", io.scimledger.bulk.BulkProcessor.MAX_OPERATIONS)
                .put("maxPayloadSize", io.scimledger.bulk.BulkProcessor.MAX_PAYLOAD_SIZE);
        out.putObject("filter").put("supported", true).put("maxResults", ResourceSearch.MAX_RESULTS);
        // RFC 9865 section 5: both pagination methods; cursor pages follow creation order.
        out.putObject("pagination")
                .put("cursor", true)
                .put("index", true)
                .put("defaultPaginationMethod", "index")
                .put("defaultPageSize", ResourceSearch.DEFAULT_COUNT)
                .put("maxPageSize", ResourceSearch.MAX_RESULTS)
                .put("cursorTimeout", cursors.timeout().toSeconds());
        // Passwords are accepted on input but never stored: there is nothing a password change could change.
        out.putObject("changePassword").put("supported", false);
        out.putObject("sort").put("supported", true);
        out.putObject("etag").put("supported", true);
        out.putArray("authenticationSchemes")
                .addObject()
                .put("type", "oauthbearertoken")
                .put("name", "OAuth Bearer Token")
                .put(
                        "description",
                        "A JWT bearer token (RFC 6750) signed by the configured issuer; scopes " + Scopes.SCIM_READ
                                + ", " + Scopes.SCIM_WRITE + ", " + Scopes.AUDIT_READ + ", " + Scopes.ADMIN)
                .put("specUri", "https://www.rfc-editor.org/rfc/rfc6750")
                .put("primary", true);
        out.set("meta", meta("ServiceProviderConfig", baseUrl.get() + "/ServiceProviderConfig"));
        return ScimResponses.json(200, out).build();
    }

    @GET
    @Path("ResourceTypes")
    public Response resourceTypes() {
        List<ObjectNode> all =
                resourceTypeDefinitions().stream().map(this::resourceType).toList();
        return ScimResponses.json(200, list(all)).build();
    }

    @GET
    @Path("ResourceTypes/{name}")
    public Response resourceType(@PathParam("name") String name) {
        return resourceTypeDefinitions().stream()
                .filter(t -> t.name().equalsIgnoreCase(name))
                .findFirst()
                .map(t -> ScimResponses.json(200, resourceType(t)).build())
                .orElseThrow(() -> ScimException.notFound("no resource type " + name));
    }

    @GET
    @Path("Schemas")
    public Response schemas() {
        return ScimResponses.json(
                        200, list(servedSchemas().stream().map(this::schema).toList()))
                .build();
    }

    @GET
    @Path("Schemas/{id}")
    public Response schema(@PathParam("id") String id) {
        return servedSchemas().stream()
                .filter(s -> s.id().equalsIgnoreCase(id))
                .findFirst()
                .map(s -> ScimResponses.json(200, schema(s)).build())
                .orElseThrow(() -> ScimException.notFound("no schema " + id));
    }

    /** The resources' schemas, the caller's tenant's extensions, then the discovery resources' own (RFC 7643 section 7). */
    private List<SchemaDefinition> servedSchemas() {
        List<SchemaDefinition> all = new java.util.ArrayList<>(ScimSchemas.all());
        all.addAll(io.scimledger.tenants.TenantSchemas.registered(caller.registered()));
        all.addAll(DiscoverySchemas.all());
        return all;
    }

    /** Users and Groups as the caller's tenant has them: with its registered schema extensions. */
    private List<ResourceTypeDefinition> resourceTypeDefinitions() {
        return io.scimledger.tenants.TenantSchemas.resourceTypes(caller.registered());
    }

    private ObjectNode resourceType(ResourceTypeDefinition t) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.putArray("schemas").add(RESOURCE_TYPE_URN);
        o.put("id", t.name())
                .put("name", t.name())
                .put("endpoint", t.endpoint())
                .put("description", t.description())
                .put("schema", t.schema().id());
        ArrayNode ext = o.putArray("schemaExtensions");
        for (SchemaDefinition s : t.extensions()) {
            ext.addObject().put("schema", s.id()).put("required", false);
        }
        o.set("meta", meta("ResourceType", baseUrl.get() + "/ResourceTypes/" + t.name()));
        return o;
    }

    private ObjectNode schema(SchemaDefinition s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.putArray("schemas").add(SCHEMA_URN);
        o.put("id", s.id()).put("name", s.name()).put("description", s.description());
        ArrayNode attrs = o.putArray("attributes");
        s.attributes().forEach(a -> attrs.add(attribute(a)));
        o.set("meta", meta("Schema", baseUrl.get() + "/Schemas/" + s.id()));
        return o;
    }

    private static ObjectNode attribute(AttributeDefinition a) {
        return AttributeJson.of(a, false);
    }

    private static ObjectNode list(List<ObjectNode> resources) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putArray("schemas").add(ScimSchemas.LIST_RESPONSE_URN);
        out.put("totalResults", resources.size());
        out.put("startIndex", 1);
        out.put("itemsPerPage", resources.size());
        ArrayNode arr = out.putArray("Resources");
        resources.forEach(arr::add);
        return out;
    }

    private static ObjectNode meta(String type, String location) {
        return JsonNodeFactory.instance.objectNode().put("resourceType", type).put("location", location);
    }
}
