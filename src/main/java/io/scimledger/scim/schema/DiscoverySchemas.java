package io.scimledger.scim.schema;

import static io.scimledger.scim.schema.AttributeDefinition.builder;
import static io.scimledger.scim.schema.AttributeType.BOOLEAN;
import static io.scimledger.scim.schema.AttributeType.COMPLEX;
import static io.scimledger.scim.schema.AttributeType.INTEGER;
import static io.scimledger.scim.schema.AttributeType.REFERENCE;
import static io.scimledger.scim.schema.AttributeType.STRING;

import java.util.List;

/**
 * The schemas of the discovery resources themselves (RFC 7643 section 7: /Schemas lists the ServiceProviderConfig,
 * ResourceType and Schema schemas too). Every attribute is readOnly: clients read these resources, never write them.
 * They describe what DiscoveryResource renders; conformance.SchemasDescribeTheServiceTest checks the two agree.
 * Kept apart from {@link ScimSchemas#all()}, which is what filters, PATCH and input validation resolve against.
 */
public final class DiscoverySchemas {

    public static final String SPC_URN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    public static final String RESOURCE_TYPE_URN = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
    public static final String SCHEMA_URN = "urn:ietf:params:scim:schemas:core:2.0:Schema";

    private DiscoverySchemas() {}

    private static AttributeDefinition.Builder ro(String name, AttributeType type) {
        return builder(name, type).readOnly();
    }

    private static AttributeDefinition supported(String what) {
        return ro("supported", BOOLEAN)
                .required()
                .description("Whether " + what + " is supported.")
                .build();
    }

    public static final SchemaDefinition SERVICE_PROVIDER_CONFIG = new SchemaDefinition(
            SPC_URN,
            "Service Provider Configuration",
            "Schema for representing the service provider's configuration",
            List.of(
                    ro("documentationUri", REFERENCE)
                            .referenceTypes("external")
                            .description(
                                    "An HTTP-addressable URL pointing to the service provider's human-consumable help documentation.")
                            .build(),
                    ro("patch", COMPLEX)
                            .required()
                            .description("A complex type that specifies PATCH configuration options.")
                            .subAttributes(supported("PATCH"))
                            .build(),
                    ro("bulk", COMPLEX)
                            .required()
                            .description("A complex type that specifies bulk configuration options.")
                            .subAttributes(
                                    supported("bulk"),
                                    ro("maxOperations", INTEGER)
                                            .required()
                                            .description("The maximum number of operations.")
                                            .build(),
                                    ro("maxPayloadSize", INTEGER)
                                            .required()
                                            .description("The maximum payload size in bytes.")
                                            .build())
                            .build(),
                    ro("filter", COMPLEX)
                            .required()
                            .description("A complex type that specifies FILTER options.")
                            .subAttributes(
                                    supported("filtering"),
                                    ro("maxResults", INTEGER)
                                            .required()
                                            .description("The maximum number of resources returned in a response.")
                                            .build())
                            .build(),
                    ro("pagination", COMPLEX)
                            .description("Pagination options (RFC 9865 section 5).")
                            .subAttributes(
                                    ro("cursor", BOOLEAN)
                                            .description("Whether cursor-based pagination is supported.")
                                            .build(),
                                    ro("index", BOOLEAN)
                                            .description("Whether index-based pagination is supported.")
                                            .build(),
                                    ro("defaultPaginationMethod", STRING)
                                            .canonicalValues("cursor", "index")
                                            .description("The pagination method used when a request names none.")
                                            .build(),
                                    ro("defaultPageSize", INTEGER)
                                            .description("The page size used when a request names none.")
                                            .build(),
                                    ro("maxPageSize", INTEGER)
                                            .description("The largest page size served.")
                                            .build(),
                                    ro("cursorTimeout", INTEGER)
                                            .description("Seconds a cursor stays valid.")
                                            .build())
                            .build(),
                    ro("changePassword", COMPLEX)
                            .required()
                            .description(
                                    "A complex type that specifies configuration options related to changing a password.")
                            .subAttributes(supported("changing a password"))
                            .build(),
                    ro("sort", COMPLEX)
                            .required()
                            .description("A complex type that specifies sort result options.")
                            .subAttributes(supported("sorting"))
                            .build(),
                    ro("etag", COMPLEX)
                            .required()
                            .description("A complex type that specifies ETag configuration options.")
                            .subAttributes(supported("ETags"))
                            .build(),
                    ro("authenticationSchemes", COMPLEX)
                            .multiValued()
                            .required()
                            .description("A complex type that specifies supported authentication scheme properties.")
                            .subAttributes(
                                    ro("type", STRING)
                                            .required()
                                            .canonicalValues(
                                                    "oauth", "oauth2", "oauthbearertoken", "httpbasic", "httpdigest")
                                            .description("The authentication scheme.")
                                            .build(),
                                    ro("name", STRING)
                                            .required()
                                            .description("The common authentication scheme name.")
                                            .build(),
                                    ro("description", STRING)
                                            .required()
                                            .description("A description of the authentication scheme.")
                                            .build(),
                                    ro("specUri", REFERENCE)
                                            .referenceTypes("external")
                                            .description(
                                                    "An HTTP-addressable URL pointing to the authentication scheme's specification.")
                                            .build(),
                                    ro("documentationUri", REFERENCE)
                                            .referenceTypes("external")
                                            .description(
                                                    "An HTTP-addressable URL pointing to the authentication scheme's usage documentation.")
                                            .build(),
                                    ro("primary", BOOLEAN)
                                            .description("Whether this is the preferred authentication scheme.")
                                            .build())
                            .build()));

    public static final SchemaDefinition RESOURCE_TYPE = new SchemaDefinition(
            RESOURCE_TYPE_URN,
            "ResourceType",
            "Specifies the schema that describes a SCIM resource type",
            List.of(
                    ro("id", STRING)
                            .description("The resource type's server unique id.")
                            .build(),
                    ro("name", STRING)
                            .required()
                            .description("The resource type name.")
                            .build(),
                    ro("description", STRING)
                            .description("The resource type's human-readable description.")
                            .build(),
                    ro("endpoint", REFERENCE)
                            .required()
                            .referenceTypes("uri")
                            .description("The resource type's HTTP-addressable endpoint relative to the Base URL.")
                            .build(),
                    ro("schema", REFERENCE)
                            .required()
                            .caseExact()
                            .referenceTypes("uri")
                            .description("The resource type's primary/base schema URI.")
                            .build(),
                    ro("schemaExtensions", COMPLEX)
                            .multiValued()
                            .description("A list of URIs of the resource type's schema extensions.")
                            .subAttributes(
                                    ro("schema", REFERENCE)
                                            .required()
                                            .caseExact()
                                            .referenceTypes("uri")
                                            .description("The URI of a schema extension.")
                                            .build(),
                                    ro("required", BOOLEAN)
                                            .required()
                                            .description("Whether the extension is required.")
                                            .build())
                            .build()));

    private static AttributeDefinition[] attributeCharacteristics(boolean withSubAttributes) {
        List<AttributeDefinition> subs = new java.util.ArrayList<>(List.of(
                ro("name", STRING)
                        .required()
                        .caseExact()
                        .description("The attribute's name.")
                        .build(),
                ro("type", STRING)
                        .required()
                        .canonicalValues(
                                "string", "complex", "boolean", "decimal", "integer", "dateTime", "reference", "binary")
                        .description("The attribute's data type.")
                        .build(),
                ro("multiValued", BOOLEAN)
                        .required()
                        .description("Whether the attribute is multi-valued.")
                        .build(),
                ro("description", STRING)
                        .description("A human-readable description of the attribute.")
                        .build(),
                ro("required", BOOLEAN)
                        .required()
                        .description("Whether the attribute is required.")
                        .build(),
                ro("canonicalValues", STRING)
                        .multiValued()
                        .caseExact()
                        .description("Suggested canonical values.")
                        .build(),
                ro("caseExact", BOOLEAN)
                        .description("Whether the attribute is case-sensitive.")
                        .build(),
                ro("mutability", STRING)
                        .canonicalValues("readOnly", "readWrite", "immutable", "writeOnly")
                        .description("Whether the attribute may be modified.")
                        .build(),
                ro("returned", STRING)
                        .canonicalValues("always", "never", "default", "request")
                        .description("When the attribute is returned in a response.")
                        .build(),
                ro("uniqueness", STRING)
                        .canonicalValues("none", "server", "global")
                        .description("How the service provider enforces uniqueness of values.")
                        .build(),
                ro("referenceTypes", STRING)
                        .multiValued()
                        .caseExact()
                        .description("The SCIM resource types that may be referenced.")
                        .build()));
        if (withSubAttributes) {
            subs.add(ro("subAttributes", COMPLEX)
                    .multiValued()
                    .description("The sub-attributes of a complex attribute.")
                    .subAttributes(attributeCharacteristics(false))
                    .build());
        }
        return subs.toArray(new AttributeDefinition[0]);
    }

    public static final SchemaDefinition SCHEMA = new SchemaDefinition(
            SCHEMA_URN,
            "Schema",
            "Specifies the schema attribute characteristics",
            List.of(
                    ro("id", STRING)
                            .required()
                            .caseExact()
                            .description("The unique URI of the schema.")
                            .build(),
                    ro("name", STRING)
                            .description("The schema's human-readable name.")
                            .build(),
                    ro("description", STRING)
                            .description("The schema's human-readable description.")
                            .build(),
                    ro("attributes", COMPLEX)
                            .multiValued()
                            .required()
                            .description("The service provider's attributes of the schema.")
                            .subAttributes(attributeCharacteristics(true))
                            .build()));

    public static List<SchemaDefinition> all() {
        return List.of(SERVICE_PROVIDER_CONFIG, RESOURCE_TYPE, SCHEMA);
    }
}
