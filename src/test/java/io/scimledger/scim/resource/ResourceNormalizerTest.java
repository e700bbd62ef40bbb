package io.scimledger.scim.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.resource.ResourceNormalizer.MemberRef;
import io.scimledger.scim.resource.ResourceNormalizer.NormalizedResource;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributeType;
import io.scimledger.scim.schema.Mutability;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.SchemaDefinition;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceNormalizerTest {

    static final ObjectMapper M = new ObjectMapper();
    static final String ENT = ScimSchemas.ENTERPRISE_USER_URN;

    static JsonNode json(String s) {
        try {
            return M.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static NormalizedResource user(String body) {
        return ResourceNormalizer.normalize(ScimSchemas.USER_TYPE, json(body));
    }

    static NormalizedResource group(String body) {
        return ResourceNormalizer.normalize(ScimSchemas.GROUP_TYPE, json(body));
    }

    static ScimException fails(Runnable r) {
        return assertThrows(ScimException.class, r::run);
    }

    @Test
    void minimalUserInStoredForm() {
        NormalizedResource n = user("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User'],'userName':'bjensen'}");
        assertEquals(
                json("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User'],'userName':'bjensen'}"), n.resource());
        assertFalse(n.passwordSupplied());
        assertNull(n.members());
        assertTrue(n.ignoredAttributes().isEmpty());
    }

    @Test
    void bodyMustBeAnObject() {
        assertEquals("invalidSyntax", fails(() -> user("[]")).scimType());
        assertEquals(
                "invalidSyntax",
                fails(() -> ResourceNormalizer.normalize(ScimSchemas.USER_TYPE, null))
                        .scimType());
        assertEquals("invalidSyntax", fails(() -> user("'x'")).scimType());
    }

    @Test
    void namesAndUrnsAreMatchedCaseInsensitivelyAndCanonicalised() {
        NormalizedResource n = user("{'SCHEMAS':['URN:IETF:params:scim:schemas:core:2.0:user'],'USERNAME':'b',"
                + "'Name':{'GIVENNAME':'Barbara','familyname':'J'},'EMAILS':[{'VALUE':'b@x','Type':'work'}],"
                + "'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER':{'EmployeeNumber':'7'}}");
        assertEquals(
                json("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User','" + ENT + "'],'userName':'b',"
                        + "'name':{'familyName':'J','givenName':'Barbara'},'emails':[{'value':'b@x','type':'work'}],"
                        + "'" + ENT + "':{'employeeNumber':'7'}}"),
                n.resource());
        assertTrue(n.ignoredAttributes().isEmpty());
    }

    @Test
    void urnQualifiedTopLevelExtensionAttributes() {
        NormalizedResource n = user("{'userName':'b','" + ENT + ":employeeNumber':'7','" + ENT
                + ":manager':{'value':'m1'},'urn:ietf:params:scim:schemas:core:2.0:User:title':'Boss'}");
        assertEquals(
                json("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User','" + ENT + "'],'userName':'b',"
                        + "'title':'Boss','" + ENT + "':{'employeeNumber':'7','manager':{'value':'m1'}}}"),
                n.resource());
    }

    @Test
    void extensionSchemaListedButWithoutDataIsNotInSchemas() {
        NormalizedResource n = user("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User','" + ENT + "'],"
                + "'userName':'b','" + ENT + "':{}}");
        assertEquals(1, n.resource().get("schemas").size());
        assertFalse(n.resource().has(ENT));
    }

    @Test
    void unknownAttributesAndSchemasAreIgnoredAndListed() {
        NormalizedResource n = user("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User','urn:acme:custom'],"
                + "'userName':'b','favouriteColour':'blue','urn:acme:custom:shoeSize':42,"
                + "'name':{'givenName':'B','nick':'x'}}");
        assertEquals(
                List.of("urn:acme:custom", "favouriteColour", "urn:acme:custom:shoeSize", "name.nick"),
                n.ignoredAttributes());
        assertEquals(json("{'givenName':'B'}"), n.resource().get("name"));
    }

    @Test
    void readOnlyAttributesAreIgnored() {
        NormalizedResource n = user("{'id':'abc','meta':{'resourceType':'User'},'userName':'b',"
                + "'groups':[{'value':'g1'}],'" + ENT + "':{'manager':{'value':'m','displayName':'Boss'}}}");
        assertFalse(n.resource().has("id"));
        assertFalse(n.resource().has("meta"));
        assertFalse(n.resource().has("groups"));
        assertEquals(json("{'value':'m'}"), n.resource().get(ENT).get("manager"));
        assertTrue(n.ignoredAttributes().containsAll(List.of("id", "meta", "groups")));
    }

    @Test
    void passwordIsDroppedAndReported() {
        NormalizedResource n = user("{'userName':'b','password':'s3cret'}");
        assertTrue(n.passwordSupplied());
        assertFalse(n.resource().toString().contains("s3cret"));
        assertFalse(user("{'userName':'b','password':null}").passwordSupplied());
    }

    @Test
    void nullsEmptyArraysAndEmptyObjectsAreAbsent() {
        NormalizedResource n = user("{'userName':'b','displayName':null,'roles':[],'name':{},"
                + "'emails':[{'value':'a@x','$ref':null,'display':null}],'" + ENT + "':{'manager':{'value':null}}}");
        assertEquals(
                json("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User'],'userName':'b',"
                        + "'emails':[{'value':'a@x'}]}"),
                n.resource());
    }

    @Test
    void booleansAcceptStringsInAnyCase() {
        assertEquals(
                false,
                user("{'userName':'b','active':'False'}")
                        .resource()
                        .get("active")
                        .booleanValue());
        assertEquals(
                true,
                user("{'userName':'b','active':'TRUE'}")
                        .resource()
                        .get("active")
                        .booleanValue());
        assertEquals(
                true,
                user("{'userName':'b','active':true}").resource().get("active").booleanValue());
        ScimException e = fails(() -> user("{'userName':'b','active':'yes'}"));
        assertEquals("invalidValue", e.scimType());
        assertTrue(e.detail().contains("active"));
    }

    @Test
    void stringsRejectNumbersAndBooleans() {
        // RFC 7644 section 3.12: a value that does not fit the schema is invalidValue, never converted (issue 12)
        assertTrue(fails(() -> user("{'userName':'b','" + ENT + "':{'employeeNumber':7}}"))
                .detail()
                .contains("employeeNumber"));
        assertEquals(
                "invalidValue",
                fails(() -> user("{'userName':'b','title':true}")).scimType());
        assertEquals(
                "invalidValue",
                fails(() -> user("{'userName':'b','displayName':123}")).scimType());
    }

    @Test
    void wrongTypesThatCannotBeCoercedFailNamingTheAttribute() {
        ScimException e = fails(() -> user("{'userName':'b','displayName':{'x':1}}"));
        assertEquals(400, e.status());
        assertEquals("invalidValue", e.scimType());
        assertTrue(e.detail().contains("displayName"));
        assertTrue(
                fails(() -> user("{'userName':'b','emails':[['a']]}")).detail().contains("emails"));
        assertTrue(
                fails(() -> user("{'userName':'b','name':'Barbara'}")).detail().contains("name"));
        assertTrue(fails(() -> user("{'userName':'b','emails':[{'primary':'maybe','value':'a'}]}"))
                .detail()
                .contains("emails.primary"));
    }

    @Test
    void oneLoginSingleEmailObjectIsWrapped() {
        // OneLogin sometimes sends emails as a single object instead of an array (docs/compatibility.md)
        ObjectNode r = user("{'userName':'b','emails':{'value':'b@x','type':'work','primary':true}}")
                .resource();
        assertEquals(json("[{'value':'b@x','type':'work','primary':true}]"), r.get("emails"));
    }

    @Test
    void bareStringForManagerOnlyNotForMultiValuedComplex() {
        // Entra 7: the manager as a bare id; a bare string for emails or roles is no documented quirk
        ObjectNode r = user("{'userName':'b','" + ENT + "':{'manager':'m-1'}}").resource();
        assertEquals(json("{'value':'m-1'}"), r.get(ENT).get("manager"));
        assertEquals(
                "invalidValue",
                fails(() -> user("{'userName':'b','emails':'b@x'}")).scimType());
        assertEquals(
                "invalidValue",
                fails(() -> user("{'userName':'b','roles':['a','b']}")).scimType());
        assertEquals(
                "invalidValue",
                fails(() -> user("{'userName':'b','name':[{'givenName':'G'}]}")).scimType());
    }

    @Test
    void entraStringifiedRolesAreParsed() {
        // Entra 8 in docs/compatibility.md (AppRoleAssignmentsComplex): role elements whose value is
        // stringified JSON
        ObjectNode r = user("{'userName':'b','roles':[{'primary':false,'value':"
                        + M.valueToTree("{\"id\":\"827f\",\"value\":\"Admin\",\"displayName\":\"Admin role\"}") + "}]}")
                .resource();
        assertEquals(json("[{'value':'Admin','display':'Admin role','primary':false}]"), r.get("roles"));
        // and the whole value as a JSON string of an array
        ObjectNode r2 = user("{'userName':'b','roles':" + M.valueToTree("[{\"value\":\"A\"},{\"value\":\"B\"}]") + "}")
                .resource();
        assertEquals(json("[{'value':'A'},{'value':'B'}]"), r2.get("roles"));
    }

    @Test
    void integersDecimalsAndDateTimesAreValidated() {
        AttributeDefinition count =
                AttributeDefinition.builder("count", AttributeType.INTEGER).build();
        AttributeDefinition ratio =
                AttributeDefinition.builder("ratio", AttributeType.DECIMAL).build();
        AttributeDefinition since =
                AttributeDefinition.builder("since", AttributeType.DATE_TIME).build();
        SchemaDefinition s = new SchemaDefinition(
                "urn:test:T",
                "T",
                "",
                List.of(
                        AttributeDefinition.builder("name", AttributeType.STRING)
                                .required()
                                .build(),
                        count,
                        ratio,
                        since));
        ResourceTypeDefinition t = new ResourceTypeDefinition("T", "/T", "", s, List.of());
        ObjectNode r = ResourceNormalizer.normalize(
                        t, json("{'name':'n','count':12,'ratio':1.5,'since':'2024-01-02T03:04:05Z'}"))
                .resource();
        assertEquals(12L, r.get("count").longValue());
        assertTrue(fails(() -> ResourceNormalizer.normalize(t, json("{'name':'n','count':'12'}")))
                .detail()
                .contains("count"));
        assertTrue(fails(() -> ResourceNormalizer.normalize(t, json("{'name':'n','ratio':'1.5'}")))
                .detail()
                .contains("ratio"));
        assertTrue(fails(() -> ResourceNormalizer.normalize(t, json("{'name':'n','since':20240102}")))
                .detail()
                .contains("since"));
        assertEquals(1.5, r.get("ratio").doubleValue());
        assertEquals("2024-01-02T03:04:05Z", r.get("since").textValue());
        assertEquals(
                3L,
                ResourceNormalizer.normalize(t, json("{'name':'n','count':3}"))
                        .resource()
                        .get("count")
                        .longValue());
        assertTrue(fails(() -> ResourceNormalizer.normalize(t, json("{'name':'n','count':1.5}")))
                .detail()
                .contains("count"));
        assertTrue(fails(() -> ResourceNormalizer.normalize(t, json("{'name':'n','ratio':'abc'}")))
                .detail()
                .contains("ratio"));
        assertTrue(fails(() -> ResourceNormalizer.normalize(t, json("{'name':'n','since':'yesterday'}")))
                .detail()
                .contains("since"));
        assertEquals(
                "2024-01-02T03:04:05",
                ResourceNormalizer.normalize(t, json("{'name':'n','since':'2024-01-02T03:04:05'}"))
                        .resource()
                        .get("since")
                        .textValue());
    }

    @Test
    void requiredAttributesMissingOrBlank() {
        assertTrue(fails(() -> user("{'displayName':'x'}")).detail().contains("userName"));
        assertEquals("invalidValue", fails(() -> user("{'userName':'  '}")).scimType());
        assertEquals("invalidValue", fails(() -> user("{'userName':null}")).scimType());
        assertTrue(fails(() -> group("{'members':[]}")).detail().contains("displayName"));
    }

    @Test
    void moreThanOnePrimaryFails() {
        ScimException e = fails(() ->
                user("{'userName':'b','emails':[{'value':'a','primary':true}," + "{'value':'b','Primary':'True'}]}"));
        assertEquals("invalidValue", e.scimType());
        assertTrue(e.detail().contains("emails"));
    }

    @Test
    void canonicalValuesAreNotEnforced() {
        ObjectNode r = user("{'userName':'b','emails':[{'value':'a','type':'Corporate'}]}")
                .resource();
        assertEquals("Corporate", r.get("emails").get(0).get("type").textValue());
    }

    @Test
    void groupMembersAreReturnedSeparately() {
        NormalizedResource n = group("{'displayName':'G','members':[{'value':'u1','type':'user','display':'U',"
                + "'$ref':'https://x/Users/u1'},{'value':'g2','type':'GROUP'},{'value':'u3'}]}");
        assertEquals(
                json("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:Group'],'displayName':'G'}"), n.resource());
        assertEquals(
                List.of(new MemberRef("u1", "User", "U"), new MemberRef("g2", "Group"), new MemberRef("u3", null)),
                n.members());
        assertNull(group("{'displayName':'G'}").members());
        assertNull(group("{'displayName':'G','members':null}").members());
    }

    @Test
    void groupMemberErrors() {
        assertEquals(
                "invalidValue",
                fails(() -> group("{'displayName':'G','members':[{'display':'x'}]}"))
                        .scimType());
        assertEquals(
                "invalidValue",
                fails(() -> group("{'displayName':'G','members':[{'value':' '}]}"))
                        .scimType());
        assertEquals(
                "invalidValue",
                fails(() -> group("{'displayName':'G','members':[{'value':'u','type':'Robot'}]}"))
                        .scimType());
    }

    @Test
    void entraCreateBodiesWithMetaEmptyRolesExtraSchemaDisplayNameAndCapitalisedPrimary() {
        // Entra 14 in docs/compatibility.md: meta, roles: [], extra schema URI, members with displayName,
        // capitalised "Primary"
        NormalizedResource u = user("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User',"
                + "'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],'externalId':'e1','userName':'b@x',"
                + "'active':'True','meta':{'resourceType':'User'},'roles':[],"
                + "'emails':[{'Primary':true,'type':'work','value':'b@x'}],"
                + "'name':{'formatted':'B J','familyName':'J','givenName':'B'},"
                + "'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User':{'department':'D'}}");
        assertEquals(
                json("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User','" + ENT + "'],"
                        + "'externalId':'e1','userName':'b@x','name':{'formatted':'B J','familyName':'J','givenName':'B'},"
                        + "'active':true,'emails':[{'value':'b@x','type':'work','primary':true}],"
                        + "'" + ENT + "':{'department':'D'}}"),
                u.resource());
        NormalizedResource g = group("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:Group',"
                + "'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],'externalId':'x',"
                + "'displayName':'G','meta':{'resourceType':'Group'},"
                + "'members':[{'value':'u1','displayName':'User One'}]}");
        assertEquals(List.of(new MemberRef("u1", null)), g.members());
        assertTrue(g.ignoredAttributes()
                .contains("http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"));
        assertEquals("x", g.resource().get("externalId").textValue());
    }

    @Test
    void entraStringBooleansInPost() {
        // Entra 2 in docs/compatibility.md: "False" / "True" also occur in POST bodies
        assertFalse(user("{'userName':'b','active':'False'}")
                .resource()
                .get("active")
                .booleanValue());
    }

    @Test
    void oktaCreateWithPasswordGroupsExternalIdLocale() {
        // Okta 2 in docs/compatibility.md: create bodies include password, groups: [], externalId, locale
        NormalizedResource n = user("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User'],'userName':'b@x',"
                + "'name':{'givenName':'B','familyName':'J'},'emails':[{'primary':true,'value':'b@x','type':'work'}],"
                + "'displayName':'B J','locale':'en-US','externalId':'00u1','groups':[],'password':'1mz050nq',"
                + "'active':true}");
        assertTrue(n.passwordSupplied());
        assertFalse(n.resource().has("password"));
        assertFalse(n.resource().has("groups"));
        assertEquals("en-US", n.resource().get("locale").textValue());
        assertEquals("00u1", n.resource().get("externalId").textValue());
    }

    @Test
    void oktaPutOfTheFullResourceIncludingIdMetaGroups() {
        // Okta 4 in docs/compatibility.md: PUT of the full resource including id, meta, groups
        NormalizedResource n = user(
                "{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User'],'id':'23a35c27',"
                        + "'userName':'b@x','active':false,'groups':[{'value':'g1','display':'G'}],"
                        + "'meta':{'resourceType':'User','created':'2024-01-01T00:00:00Z','location':'https://x/Users/23a35c27'}}");
        assertEquals(
                json("{'schemas':['urn:ietf:params:scim:schemas:core:2.0:User'],'userName':'b@x','active':false}"),
                n.resource());
    }

    @Test
    void oktaGroupPushWithEmptyMembers() {
        // Okta 7 in docs/compatibility.md: POST /Groups {"displayName": ..., "members": []}
        NormalizedResource n = group(
                "{'schemas':['urn:ietf:params:scim:schemas:core:2.0:Group']," + "'displayName':'Push','members':[]}");
        assertEquals(List.of(), n.members());
    }

    @Test
    void nestedCoreUrnObjectAndSubAttributePathKeys() {
        ObjectNode r = user("{'urn:ietf:params:scim:schemas:core:2.0:User':{'userName':'b'},'name.givenName':'B',"
                        + "'name':{'familyName':'J'}}")
                .resource();
        assertEquals("b", r.get("userName").textValue());
        assertEquals(json("{'familyName':'J'}"), r.get("name"));
    }

    @Test
    void checkImmutable() {
        AttributeDefinition code = AttributeDefinition.builder("code", AttributeType.STRING)
                .mutability(Mutability.IMMUTABLE)
                .build();
        SchemaDefinition s = new SchemaDefinition(
                "urn:test:T",
                "T",
                "",
                List.of(
                        AttributeDefinition.builder("name", AttributeType.STRING)
                                .build(),
                        code));
        ResourceTypeDefinition t = new ResourceTypeDefinition("T", "/T", "", s, List.of());
        ObjectNode before = (ObjectNode) json("{'name':'a','code':'X'}");
        ResourceNormalizer.checkImmutable(t, before, (ObjectNode) json("{'name':'b','code':'X'}"));
        ResourceNormalizer.checkImmutable(t, before, (ObjectNode) json("{'name':'b','code':'x'}")); // caseExact false
        ResourceNormalizer.checkImmutable(t, (ObjectNode) json("{'name':'a'}"), (ObjectNode) json("{'code':'Y'}"));
        assertEquals(
                "mutability",
                fails(() -> ResourceNormalizer.checkImmutable(t, before, (ObjectNode) json("{'name':'a','code':'Y'}")))
                        .scimType());
        assertEquals(
                "mutability",
                fails(() -> ResourceNormalizer.checkImmutable(t, before, (ObjectNode) json("{'name':'a'}")))
                        .scimType());
        // the real schemas have no immutable stored attributes: any PUT passes
        ResourceNormalizer.checkImmutable(
                ScimSchemas.USER_TYPE, (ObjectNode) json("{'userName':'a'}"), (ObjectNode) json("{'userName':'b'}"));
    }
}
