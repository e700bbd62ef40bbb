package io.scimledger.scim.schema;

import static io.scimledger.scim.schema.AttributeDefinition.builder;
import static io.scimledger.scim.schema.AttributeType.BINARY;
import static io.scimledger.scim.schema.AttributeType.BOOLEAN;
import static io.scimledger.scim.schema.AttributeType.COMPLEX;
import static io.scimledger.scim.schema.AttributeType.DATE_TIME;
import static io.scimledger.scim.schema.AttributeType.REFERENCE;
import static io.scimledger.scim.schema.AttributeType.STRING;

import java.util.List;

/**
 * The one definition of the schemas we serve (RFC 7643 sections 4, 8.7). /Schemas renders these, and input
 * validation, filtering and PATCH read them. Attributes marked personal are encrypted per user in the event log.
 */
public final class ScimSchemas {

    public static final String USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
    public static final String GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";
    public static final String ENTERPRISE_USER_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    public static final String LIST_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    public static final String PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    public static final String ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error";
    public static final String SEARCH_REQUEST_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

    private ScimSchemas() {}

    /** The sub-attributes shared by multi-valued attributes (RFC 7643 section 2.4), with a type's canonical values. */
    private static AttributeDefinition[] multiValuedSubs(
            AttributeType valueType, boolean valueCaseExact, String... typeValues) {
        AttributeDefinition.Builder value = builder("value", valueType).description("The attribute's value.");
        if (valueCaseExact) {
            value.caseExact();
        }
        return new AttributeDefinition[] {
            value.build(),
            builder("display", STRING)
                    .description("A human-readable name, primarily used for display purposes.")
                    .build(),
            builder("type", STRING)
                    .canonicalValues(typeValues)
                    .description("A label indicating the attribute's function.")
                    .build(),
            builder("primary", BOOLEAN)
                    .description("Indicates the 'primary' or preferred attribute value.")
                    .build()
        };
    }

    public static final SchemaDefinition USER = new SchemaDefinition(
            USER_URN,
            "User",
            "User Account",
            List.of(
                    builder("userName", STRING)
                            .required()
                            .uniqueness(Uniqueness.SERVER)
                            .personal()
                            .description(
                                    "Unique identifier for the User, typically used by the user to directly authenticate.")
                            .build(),
                    builder("name", COMPLEX)
                            .personal()
                            .description("The components of the user's real name.")
                            .subAttributes(
                                    builder("formatted", STRING)
                                            .description("The full name, formatted for display.")
                                            .build(),
                                    builder("familyName", STRING)
                                            .description("The family name of the User.")
                                            .build(),
                                    builder("givenName", STRING)
                                            .description("The given name of the User.")
                                            .build(),
                                    builder("middleName", STRING)
                                            .description("The middle name(s) of the User.")
                                            .build(),
                                    builder("honorificPrefix", STRING)
                                            .description("The honorific prefix(es) of the User.")
                                            .build(),
                                    builder("honorificSuffix", STRING)
                                            .description("The honorific suffix(es) of the User.")
                                            .build())
                            .build(),
                    builder("displayName", STRING)
                            .personal()
                            .description("The name of the User, suitable for display.")
                            .build(),
                    builder("nickName", STRING)
                            .personal()
                            .description("The casual way to address the user.")
                            .build(),
                    builder("profileUrl", REFERENCE)
                            .personal()
                            .referenceTypes("external")
                            .description("A URI to the User's online profile.")
                            .build(),
                    builder("title", STRING)
                            .description("The user's title, such as \"Vice President\".")
                            .build(),
                    builder("userType", STRING)
                            .description("Identifies the relationship between the organization and the user.")
                            .build(),
                    builder("preferredLanguage", STRING)
                            .description("The User's preferred written or spoken language.")
                            .build(),
                    builder("locale", STRING)
                            .description("The User's default location for localizing items.")
                            .build(),
                    builder("timezone", STRING)
                            .description("The User's time zone in the 'Olson' format.")
                            .build(),
                    builder("active", BOOLEAN)
                            .description("The User's administrative status.")
                            .build(),
                    builder("password", STRING)
                            .mutability(Mutability.WRITE_ONLY)
                            .returned(Returned.NEVER)
                            .description(
                                    "The User's cleartext password. Write-only; never stored or returned by this service.")
                            .build(),
                    builder("emails", COMPLEX)
                            .multiValued()
                            .personal()
                            .description("Email addresses for the user.")
                            .subAttributes(multiValuedSubs(STRING, false, "work", "home", "other"))
                            .build(),
                    builder("phoneNumbers", COMPLEX)
                            .multiValued()
                            .personal()
                            .description("Phone numbers for the User.")
                            .subAttributes(
                                    multiValuedSubs(STRING, false, "work", "home", "mobile", "fax", "pager", "other"))
                            .build(),
                    builder("ims", COMPLEX)
                            .multiValued()
                            .personal()
                            .description("Instant messaging addresses for the User.")
                            .subAttributes(multiValuedSubs(
                                    STRING, false, "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"))
                            .build(),
                    builder("photos", COMPLEX)
                            .multiValued()
                            .personal()
                            .description("URLs of photos of the User.")
                            .subAttributes(multiValuedSubs(REFERENCE, true, "photo", "thumbnail"))
                            .build(),
                    builder("addresses", COMPLEX)
                            .multiValued()
                            .personal()
                            .description("A physical mailing address for this User.")
                            .subAttributes(
                                    builder("formatted", STRING)
                                            .description("The full mailing address.")
                                            .build(),
                                    builder("streetAddress", STRING)
                                            .description("The full street address component.")
                                            .build(),
                                    builder("locality", STRING)
                                            .description("The city or locality component.")
                                            .build(),
                                    builder("region", STRING)
                                            .description("The state or region component.")
                                            .build(),
                                    builder("postalCode", STRING)
                                            .description("The zip code or postal code component.")
                                            .build(),
                                    builder("country", STRING)
                                            .description("The country name component.")
                                            .build(),
                                    builder("type", STRING)
                                            .canonicalValues("work", "home", "other")
                                            .description("A label indicating the attribute's function.")
                                            .build(),
                                    builder("primary", BOOLEAN)
                                            .description("Indicates the 'primary' or preferred address.")
                                            .build())
                            .build(),
                    builder("groups", COMPLEX)
                            .multiValued()
                            .readOnly()
                            .description("A list of groups to which the user belongs.")
                            .subAttributes(
                                    builder("value", STRING)
                                            .readOnly()
                                            .description("The identifier of the User's group.")
                                            .build(),
                                    builder("$ref", REFERENCE)
                                            .readOnly()
                                            .referenceTypes("User", "Group")
                                            .description("The URI of the Group.")
                                            .build(),
                                    builder("display", STRING)
                                            .readOnly()
                                            .description("A human-readable name of the group.")
                                            .build(),
                                    builder("type", STRING)
                                            .readOnly()
                                            .canonicalValues("direct", "indirect")
                                            .description("Direct or indirect membership.")
                                            .build())
                            .build(),
                    builder("entitlements", COMPLEX)
                            .multiValued()
                            .description("A list of entitlements for the User.")
                            .subAttributes(multiValuedSubs(STRING, false))
                            .build(),
                    builder("roles", COMPLEX)
                            .multiValued()
                            .description("A list of roles for the User.")
                            .subAttributes(multiValuedSubs(STRING, false))
                            .build(),
                    builder("x509Certificates", COMPLEX)
                            .multiValued()
                            .personal()
                            .description("A list of certificates issued to the User.")
                            .subAttributes(multiValuedSubs(BINARY, true))
                            .build()));

    public static final SchemaDefinition ENTERPRISE_USER = new SchemaDefinition(
            ENTERPRISE_USER_URN,
            "EnterpriseUser",
            "Enterprise User",
            List.of(
                    builder("employeeNumber", STRING)
                            .description("Numeric or alphanumeric identifier assigned to a person.")
                            .build(),
                    builder("costCenter", STRING)
                            .description("Identifies the name of a cost center.")
                            .build(),
                    builder("organization", STRING)
                            .description("Identifies the name of an organization.")
                            .build(),
                    builder("division", STRING)
                            .description("Identifies the name of a division.")
                            .build(),
                    builder("department", STRING)
                            .description("Identifies the name of a department.")
                            .build(),
                    builder("manager", COMPLEX)
                            .description("The User's manager.")
                            .subAttributes(
                                    builder("value", STRING)
                                            .description("The id of the SCIM resource representing the User's manager.")
                                            .build(),
                                    builder("$ref", REFERENCE)
                                            .referenceTypes("User")
                                            .description("The URI of the manager's User resource.")
                                            .build(),
                                    builder("displayName", STRING)
                                            .readOnly()
                                            .description("The displayName of the User's manager.")
                                            .build())
                            .build()));

    public static final SchemaDefinition GROUP = new SchemaDefinition(
            GROUP_URN,
            "Group",
            "Group",
            List.of(
                    builder("displayName", STRING)
                            .required()
                            .description("A human-readable name for the Group.")
                            .build(),
                    builder("members", COMPLEX)
                            .multiValued()
                            .description("A list of members of the Group.")
                            .subAttributes(
                                    builder("value", STRING)
                                            .mutability(Mutability.IMMUTABLE)
                                            .description("Identifier of the member.")
                                            .build(),
                                    builder("$ref", REFERENCE)
                                            .mutability(Mutability.IMMUTABLE)
                                            .referenceTypes("User", "Group")
                                            .description("The URI of the member.")
                                            .build(),
                                    // immutable: kept as the client sent it when the member is added, else the member's
                                    // own name
                                    // (docs/compatibility.md, "Group member display"). Personal: often the member
                                    // user's email; the log
                                    // seals it under that user's data key (docs/events.md).
                                    builder("display", STRING)
                                            .mutability(Mutability.IMMUTABLE)
                                            .personal()
                                            .description("A human-readable name of the member.")
                                            .build(),
                                    builder("type", STRING)
                                            .mutability(Mutability.IMMUTABLE)
                                            .canonicalValues("User", "Group")
                                            .description("The type of the member.")
                                            .build())
                            .build()));

    public static final ResourceTypeDefinition USER_TYPE =
            new ResourceTypeDefinition("User", "/Users", "User Account", USER, List.of(ENTERPRISE_USER));

    public static final ResourceTypeDefinition GROUP_TYPE =
            new ResourceTypeDefinition("Group", "/Groups", "Group", GROUP, List.of());

    /**
     * Attributes every resource has (RFC 7643 section 3.1). Not part of any schema's attribute list, but
     * filterable, sortable and selectable like one.
     */
    public static final List<AttributeDefinition> COMMON_ATTRIBUTES = List.of(
            builder("id", STRING)
                    .caseExact()
                    .readOnly()
                    .returned(Returned.ALWAYS)
                    .uniqueness(Uniqueness.SERVER)
                    .build(),
            builder("externalId", STRING)
                    .caseExact()
                    .description("An identifier for the resource as defined by the provisioning client.")
                    .build(),
            builder("meta", COMPLEX)
                    .readOnly()
                    .subAttributes(
                            builder("resourceType", STRING)
                                    .caseExact()
                                    .readOnly()
                                    .build(),
                            builder("created", DATE_TIME).readOnly().build(),
                            builder("lastModified", DATE_TIME).readOnly().build(),
                            builder("location", REFERENCE)
                                    .caseExact()
                                    .readOnly()
                                    .build(),
                            builder("version", STRING).caseExact().readOnly().build())
                    .build());

    public static List<SchemaDefinition> all() {
        return List.of(USER, ENTERPRISE_USER, GROUP);
    }

    public static List<ResourceTypeDefinition> resourceTypes() {
        return List.of(USER_TYPE, GROUP_TYPE);
    }
}
