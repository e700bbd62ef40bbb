package io.scimledger.scim.patch;

import static io.scimledger.scim.patch.PatchEngine.MemberOperation.Kind.ADD;
import static io.scimledger.scim.patch.PatchEngine.MemberOperation.Kind.REMOVE;
import static io.scimledger.scim.patch.PatchEngine.MemberOperation.Kind.REMOVE_ALL;
import static io.scimledger.scim.patch.PatchEngine.MemberOperation.Kind.REPLACE_ALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.patch.PatchEngine.MemberOperation;
import io.scimledger.scim.patch.PatchEngine.PatchResult;
import io.scimledger.scim.resource.ResourceNormalizer.MemberRef;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatchEngineTest {

    static final ObjectMapper M = new ObjectMapper();
    static final String ENT = ScimSchemas.ENTERPRISE_USER_URN;
    static final String CORE = ScimSchemas.USER_URN;

    static final String USER = "{'schemas':['" + CORE + "','" + ENT + "'],'userName':'bjensen',"
            + "'name':{'familyName':'Jensen','givenName':'Barbara'},'displayName':'Babs','active':true,"
            + "'emails':[{'value':'b@work','type':'work','primary':true},{'value':'b@home','type':'home'}],"
            + "'" + ENT + "':{'employeeNumber':'7','manager':{'value':'m1'}}}";
    static final String GROUP = "{'schemas':['" + ScimSchemas.GROUP_URN + "'],'displayName':'Admins'}";

    static JsonNode json(String s) {
        try {
            return M.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ObjectNode obj(String s) {
        return (ObjectNode) json(s);
    }

    /** A PatchOp body around the given operations (single quotes for double quotes). */
    static JsonNode ops(String operations) {
        return json("{'schemas':['urn:ietf:params:scim:api:messages:2.0:PatchOp'],'Operations':[" + operations + "]}");
    }

    static PatchResult user(String operations) {
        return PatchEngine.apply(ScimSchemas.USER_TYPE, obj(USER), ops(operations));
    }

    static PatchResult group(String operations) {
        return PatchEngine.apply(ScimSchemas.GROUP_TYPE, obj(GROUP), ops(operations));
    }

    static ScimException fails(Runnable r) {
        return assertThrows(ScimException.class, r::run);
    }

    // ------------------------------------------------------------ request envelope

    @Test
    void envelopeValidation() {
        assertEquals(
                "invalidSyntax",
                fails(() -> PatchEngine.apply(ScimSchemas.USER_TYPE, obj(USER), json("[]")))
                        .scimType());
        assertEquals(
                "invalidSyntax",
                fails(() -> PatchEngine.apply(
                                ScimSchemas.USER_TYPE,
                                obj(USER),
                                json("{'Operations':[{'op':'remove','path':'title'}]}")))
                        .scimType());
        assertEquals(
                "invalidValue",
                fails(() -> PatchEngine.apply(
                                ScimSchemas.USER_TYPE,
                                obj(USER),
                                json("{'schemas':['urn:ietf:params:scim:api:messages:2.0:PatchOp'],'Operations':[]}")))
                        .scimType());
        assertEquals(
                "invalidValue",
                fails(() -> PatchEngine.apply(
                                ScimSchemas.USER_TYPE,
                                obj(USER),
                                json("{'schemas':['urn:ietf:params:scim:api:messages:2.0:PatchOp']}")))
                        .scimType());
        // lenient about case of the URN and the Operations key
        PatchResult r = PatchEngine.apply(
                ScimSchemas.USER_TYPE,
                obj(USER),
                json(
                        "{'schemas':['URN:IETF:PARAMS:SCIM:API:MESSAGES:2.0:PATCHOP'],'operations':[{'op':'replace','path':'title','value':'T'}]}"));
        assertEquals("T", r.resource().get("title").textValue());
        assertEquals(
                "invalidSyntax",
                fails(() -> user("{'op':'move','path':'title','value':'x'}")).scimType());
        assertEquals("invalidSyntax", fails(() -> user("'add'")).scimType());
        assertEquals(
                "invalidValue", fails(() -> user("{'op':'add','path':'title'}")).scimType());
    }

    // ------------------------------------------------------------ basic operations

    @Test
    void replaceSimpleAndSubAttribute() {
        PatchResult r = user("{'op':'replace','path':'displayName','value':'B'},"
                + "{'op':'replace','path':'name.givenName','value':'Barb'},{'op':'add','path':'title','value':'CEO'}");
        assertEquals("B", r.resource().get("displayName").textValue());
        assertEquals(
                json("{'familyName':'Jensen','givenName':'Barb'}"), r.resource().get("name"));
        assertEquals("CEO", r.resource().get("title").textValue());
        assertEquals(List.of("name", "displayName", "title"), r.changedAttributes()); // schema order
    }

    @Test
    void replaceComplexMergesSubAttributes() {
        PatchResult r = user("{'op':'replace','path':'name','value':{'givenName':'B','middleName':'M'}}");
        assertEquals(
                json("{'familyName':'Jensen','givenName':'B','middleName':'M'}"),
                r.resource().get("name"));
    }

    @Test
    void removeAttributeSubAttributeAndExtension() {
        PatchResult r = user("{'op':'remove','path':'displayName'},{'op':'remove','path':'name.familyName'},"
                + "{'op':'remove','path':'" + ENT + ":manager'}");
        assertFalse(r.resource().has("displayName"));
        assertEquals(json("{'givenName':'Barbara'}"), r.resource().get("name"));
        assertEquals(json("{'employeeNumber':'7'}"), r.resource().get(ENT));
        PatchResult r2 = user("{'op':'remove','path':'" + ENT + "'}");
        assertFalse(r2.resource().has(ENT));
        assertEquals(List.of(CORE), M.convertValue(r2.resource().get("schemas"), List.class));
        assertEquals(List.of(ENT + ":employeeNumber", ENT + ":manager"), r2.changedAttributes());
    }

    @Test
    void removeOfAbsentAttributeIsANoOp() {
        PatchResult r = user("{'op':'remove','path':'title'}");
        assertEquals(obj(USER), r.resource());
        assertEquals(List.of(), r.changedAttributes());
    }

    @Test
    void urnQualifiedPaths() {
        PatchResult r = user("{'op':'replace','path':'" + CORE + ":displayName','value':'X'},"
                + "{'op':'replace','path':'" + ENT + ":employeeNumber','value':'8'},"
                + "{'op':'add','path':'" + ENT.toUpperCase() + ":department','value':'D'}");
        assertEquals("X", r.resource().get("displayName").textValue());
        assertEquals(
                json("{'employeeNumber':'8','department':'D','manager':{'value':'m1'}}"),
                r.resource().get(ENT));
        assertEquals(List.of("displayName", ENT + ":employeeNumber", ENT + ":department"), r.changedAttributes());
    }

    @Test
    void extensionCreatedWhenFirstAttributeAdded() {
        ObjectNode plain = obj("{'schemas':['" + CORE + "'],'userName':'u'}");
        PatchResult r = PatchEngine.apply(
                ScimSchemas.USER_TYPE, plain, ops("{'op':'add','path':'" + ENT + ":costCenter','value':'CC'}"));
        assertEquals(
                json("{'schemas':['" + CORE + "','" + ENT + "'],'userName':'u','" + ENT + "':{'costCenter':'CC'}}"),
                r.resource());
    }

    @Test
    void pathToWholeExtension() {
        PatchResult r = user("{'op':'replace','path':'" + ENT + "','value':{'department':'D','employeeNumber':'9'}}");
        assertEquals(
                json("{'employeeNumber':'9','department':'D','manager':{'value':'m1'}}"),
                r.resource().get(ENT));
    }

    @Test
    void addToMultiValuedAppendsOnlyNewValues() {
        PatchResult r = user(
                "{'op':'add','path':'emails','value':[{'value':'B@WORK','type':'work'},{'value':'c@x','type':'other'}]}");
        assertEquals(3, r.resource().get("emails").size());
        assertEquals("c@x", r.resource().get("emails").get(2).get("value").textValue());
    }

    @Test
    void replaceMultiValuedReplacesAll() {
        PatchResult r = user("{'op':'replace','path':'emails','value':[{'value':'n@x'}]}");
        assertEquals(json("[{'value':'n@x'}]"), r.resource().get("emails"));
    }

    @Test
    void primaryIsKeptUnique() {
        PatchResult r = user("{'op':'add','path':'emails','value':[{'value':'c@x','primary':true}]}");
        assertEquals(false, r.resource().get("emails").get(0).get("primary").booleanValue());
        assertTrue(r.resource().get("emails").get(2).get("primary").booleanValue());
        PatchResult r2 = user("{'op':'replace','path':'emails[type eq \\'home\\'].primary','value':true}");
        assertEquals(false, r2.resource().get("emails").get(0).get("primary").booleanValue());
        assertTrue(r2.resource().get("emails").get(1).get("primary").booleanValue());
        // two primaries in one value: rejected
        assertEquals(
                "invalidValue",
                fails(() -> user("{'op':'replace','path':'emails','value':"
                                + "[{'value':'a','primary':true},{'value':'b','primary':true}]}"))
                        .scimType());
    }

    @Test
    void valuePathFilters() {
        PatchResult r = user("{'op':'replace','path':'emails[type eq \\'home\\'].value','value':'h@x'},"
                + "{'op':'remove','path':'emails[value eq \\'b@work\\']'}");
        assertEquals(json("[{'value':'h@x','type':'home'}]"), r.resource().get("emails"));
        PatchResult r2 = user("{'op':'add','path':'addresses','value':{'type':'work','locality':'Oslo'}},"
                + "{'op':'replace','path':'addresses[type eq \\'work\\'].locality','value':'Bergen'}");
        assertEquals(
                json("[{'locality':'Bergen','type':'work'}]"), r2.resource().get("addresses"));
    }

    @Test
    void replaceValuePathWithoutMatchAndNonEqFilterIsNoTarget() {
        assertEquals(
                "noTarget",
                fails(
                                () -> user(
                                        "{'op':'replace','path':'emails[type eq \\'x\\' or type eq \\'y\\'].display','value':'x'}"))
                        .scimType());
    }

    @Test
    void unknownSubAttributeInValueFilterIsInvalidFilterEvenWithoutData() {
        ObjectNode none = obj("{'schemas':['" + CORE + "'],'userName':'u'}");
        assertEquals(
                "invalidFilter",
                fails(() -> PatchEngine.apply(
                                ScimSchemas.USER_TYPE,
                                none,
                                ops("{'op':'replace','path':'emails[kind eq \\'work\\'].value','value':'x'}")))
                        .scimType());
    }

    @Test
    void removeWithFilterMatchingNothingIsNoTarget() {
        assertEquals(
                "noTarget",
                fails(() -> user("{'op':'remove','path':'emails[type eq \\'other\\']'}"))
                        .scimType());
    }

    @Test
    void removeWithoutPathIsNoTarget() {
        assertEquals("noTarget", fails(() -> user("{'op':'remove'}")).scimType());
    }

    @Test
    void unknownAttributeInPathIsInvalidPath() {
        assertEquals(
                "invalidPath",
                fails(() -> user("{'op':'replace','path':'shoeSize','value':1}"))
                        .scimType());
        assertEquals(
                "invalidPath",
                fails(() -> user("{'op':'replace','path':'name.nick','value':1}"))
                        .scimType());
        assertEquals(
                "invalidPath",
                fails(() -> user("{'op':'replace','path':'urn:acme:x:y','value':1}"))
                        .scimType());
        assertEquals(
                "invalidPath",
                fails(() -> user("{'op':'replace','path':'name[givenName eq \\'x\\']','value':1}"))
                        .scimType());
    }

    @Test
    void mutabilityRules() {
        assertEquals(
                "mutability",
                fails(() -> user("{'op':'remove','path':'userName'}")).scimType());
        assertEquals(
                "mutability",
                fails(() -> user("{'op':'replace','path':'id','value':'x'}")).scimType());
        assertEquals(
                "mutability",
                fails(() -> user("{'op':'add','path':'groups','value':[{'value':'g'}]}"))
                        .scimType());
        assertEquals(
                "mutability", fails(() -> user("{'op':'remove','path':'meta'}")).scimType());
        assertEquals(
                "mutability",
                fails(() -> user("{'op':'replace','path':'" + ENT + ":manager.displayName','value':'x'}"))
                        .scimType());
        assertEquals(
                "mutability",
                fails(() -> group("{'op':'remove','path':'displayName'}")).scimType());
        // replacing the required attribute with a blank value is a bad value
        assertEquals(
                "invalidValue",
                fails(() -> user("{'op':'replace','path':'userName','value':''}"))
                        .scimType());
    }

    @Test
    void wrongTypeIsInvalidValue() {
        ScimException e = fails(() -> user("{'op':'replace','path':'active','value':'maybe'}"));
        assertEquals("invalidValue", e.scimType());
        assertTrue(e.detail().contains("active"));
    }

    @Test
    void passwordIsReportedNeverStoredAndRedactedInLog() {
        PatchResult r = user("{'op':'replace','path':'password','value':'s3cret'},"
                + "{'op':'replace','value':{'password':'other','active':true}},"
                + "{'op':'replace','value':{'" + CORE + ":password':'third'}}");
        assertTrue(r.passwordSupplied());
        assertFalse(r.resource().toString().contains("s3cret"));
        String log = r.operations().forLog(v -> v).toString();
        assertFalse(log.contains("s3cret") || log.contains("other") || log.contains("third"), log);
        assertEquals(
                "[redacted]", r.operations().forLog(v -> v).get(0).get("value").textValue());
        assertEquals(
                "[redacted]",
                r.operations()
                        .forLog(v -> v)
                        .get(1)
                        .get("value")
                        .get("password")
                        .textValue());
        assertTrue(
                r.operations().forLog(v -> v).get(1).get("value").get("active").booleanValue());
        assertEquals(List.of("password"), r.changedAttributes());
    }

    @Test
    void atomicitySecondOperationFailsAndCurrentIsUnchanged() {
        ObjectNode current = obj(USER);
        ObjectNode snapshot = current.deepCopy();
        ScimException e = fails(() -> PatchEngine.apply(
                ScimSchemas.USER_TYPE,
                current,
                ops("{'op':'replace','path':'displayName','value':'changed'},{'op':'remove','path':'userName'}")));
        assertEquals("mutability", e.scimType());
        assertTrue(e.detail().startsWith("Operations[1]"), e.detail());
        assertEquals(snapshot, current);
        // success does not modify current either
        PatchEngine.apply(ScimSchemas.USER_TYPE, current, ops("{'op':'replace','path':'displayName','value':'x'}"));
        assertEquals(snapshot, current);
    }

    @Test
    void resultIsValidatedLikeAPostBody() {
        // a value the normaliser would reject is rejected here too
        assertEquals(
                "invalidValue",
                fails(() -> user("{'op':'add','path':'emails','value':[{'primary':'nope','value':'q'}]}"))
                        .scimType());
        // result is in stored form: nulls/empties gone, schemas rebuilt
        PatchResult r = user("{'op':'replace','path':'name','value':null},{'op':'remove','path':'emails'}");
        assertFalse(r.resource().has("name"));
        assertFalse(r.resource().has("emails"));
    }

    // ------------------------------------------------------------ Microsoft Entra ID (docs/compatibility.md)

    @Test
    void entra1CapitalisedOps() {
        PatchResult r =
                user("{'op':'Add','path':'title','value':'T'},{'op':'Replace','path':'DisplayName','value':'D'},"
                        + "{'op':'Remove','path':'NAME.givenName'}");
        assertEquals("T", r.resource().get("title").textValue());
        assertEquals("D", r.resource().get("displayName").textValue());
        assertEquals(json("{'familyName':'Jensen'}"), r.resource().get("name"));
    }

    @Test
    void entra2DisableWithStringFalse() {
        PatchResult r = user("{'op':'Replace','path':'active','value':'False'}");
        assertFalse(r.resource().get("active").booleanValue());
        assertEquals(List.of("active"), r.changedAttributes());
        assertTrue(user("{'op':'Replace','path':'active','value':'True'}")
                .resource()
                .get("active")
                .booleanValue());
    }

    @Test
    void entra3MemberRemovalWithoutFilterRemovesOnlyThoseListed() {
        PatchResult r = group("{'op':'Remove','path':'members','value':[{'value':'u1'},{'value':'u2'}]}");
        assertEquals(
                List.of(new MemberOperation(REMOVE, List.of(new MemberRef("u1", null), new MemberRef("u2", null)))),
                r.memberOperations());
        assertEquals(List.of(), r.changedAttributes(), "membership changes are their own events");
        assertEquals(json(GROUP), r.resource());
    }

    @Test
    void entra4MemberAddWithNullRef() {
        PatchResult r = group("{'op':'Add','path':'members','value':[{'$ref':null,'value':'u1'}]}");
        assertEquals(List.of(new MemberOperation(ADD, List.of(new MemberRef("u1", null)))), r.memberOperations());
    }

    @Test
    void entra5NoPathReplaceWhoseKeysArePaths() {
        PatchResult r = user("{'op':'replace','value':{'name.givenName':'Bee','" + ENT + ":employeeNumber':'42',"
                + "'displayName':'BJ'}}");
        assertEquals(
                json("{'familyName':'Jensen','givenName':'Bee'}"), r.resource().get("name"));
        assertEquals("42", r.resource().get(ENT).get("employeeNumber").textValue());
        assertEquals("BJ", r.resource().get("displayName").textValue());
        assertEquals(List.of("name", "displayName", ENT + ":employeeNumber"), r.changedAttributes());
    }

    @Test
    void entra6ReplaceWorkEmailValueCreatesItWhenMissing() {
        ObjectNode noWork = obj("{'schemas':['" + CORE + "'],'userName':'u','emails':[{'value':'h@x','type':'home'}]}");
        PatchResult r = PatchEngine.apply(
                ScimSchemas.USER_TYPE,
                noWork,
                ops("{'op':'Replace','path':'emails[type eq \\'work\\'].value','value':'w@x'}"));
        assertEquals(
                json("[{'value':'h@x','type':'home'},{'type':'work','value':'w@x'}]"),
                r.resource().get("emails"));
        // also when the user has no emails at all, and for add (Entra validator)
        ObjectNode none = obj("{'schemas':['" + CORE + "'],'userName':'u'}");
        PatchResult r2 = PatchEngine.apply(
                ScimSchemas.USER_TYPE,
                none,
                ops("{'op':'add','path':'emails[type eq \\'work\\'].value','value':'w@x'},"
                        + "{'op':'replace','path':'emails[type eq \\'work\\'].primary','value':'True'}"));
        assertEquals(
                json("[{'type':'work','value':'w@x','primary':true}]"),
                r2.resource().get("emails"));
    }

    @Test
    void entra7ManagerAsBareString() {
        PatchResult r = user("{'op':'Add','path':'" + ENT + ":manager','value':'m2'}");
        assertEquals(json("{'value':'m2'}"), r.resource().get(ENT).get("manager"));
        assertEquals(List.of(ENT + ":manager"), r.changedAttributes());
    }

    @Test
    void entra8RolesAsStringifiedJson() {
        // the element's value holds the stringified role (docs/compatibility.md, Entra 8)
        ObjectNode op = M.createObjectNode().put("op", "Add").put("path", "roles");
        op.putArray("value")
                .addObject()
                .put("value", "{\"id\":\"827f\",\"value\":\"Admin\",\"displayName\":\"Admin\"}");
        ObjectNode body = (ObjectNode) ops("");
        body.withArray("Operations").add(op);
        PatchResult r1 = PatchEngine.apply(ScimSchemas.USER_TYPE, obj(USER), body);
        assertEquals(
                json("[{'value':'Admin','display':'Admin'}]"), r1.resource().get("roles"));
        // the whole value as a JSON string of an array
        ObjectNode op2 = M.createObjectNode()
                .put("op", "Add")
                .put("path", "roles")
                .put("value", "[{\"value\":\"A\",\"primary\":\"False\"},{\"value\":\"B\"}]");
        ObjectNode body2 = (ObjectNode) ops("");
        body2.withArray("Operations").add(op2);
        PatchResult r2 = PatchEngine.apply(ScimSchemas.USER_TYPE, obj(USER), body2);
        assertEquals(
                json("[{'value':'A','primary':false},{'value':'B'}]"),
                r2.resource().get("roles"));
    }

    @Test
    void entra9AddOnSingleValuedMeansReplace() {
        PatchResult r =
                user("{'op':'Add','path':'displayName','value':'New'},{'op':'Add','path':'active','value':'False'}");
        assertEquals("New", r.resource().get("displayName").textValue());
        assertFalse(r.resource().get("active").booleanValue());
    }

    // ------------------------------------------------------------ Okta (docs/compatibility.md)

    @Test
    void okta4PutThenPatchLeavesReadOnlyAlone() {
        // Okta 4 is PUT (see ResourceNormalizerTest); PATCH of a resource that Okta re-sends with id/meta inside
        PatchResult r = user("{'op':'replace','value':{'id':'23a3','meta':{'resourceType':'User'},'groups':[],"
                + "'userName':'bjensen','active':false}}");
        assertFalse(r.resource().get("active").booleanValue());
        assertFalse(r.resource().has("id"));
    }

    @Test
    void okta5DeactivationWithoutPath() {
        PatchResult r = user("{'op':'replace','value':{'active':false}}");
        assertFalse(r.resource().get("active").booleanValue());
        assertEquals(List.of("active"), r.changedAttributes());
        PatchResult pw = user("{'op':'replace','value':{'password':'newPass1'}}");
        assertTrue(pw.passwordSupplied());
        assertEquals(
                "[redacted]",
                pw.operations()
                        .forLog(v -> v)
                        .get(0)
                        .get("value")
                        .get("password")
                        .textValue());
    }

    @Test
    void okta6DeactivateNeverDeleteReactivate() {
        // Okta 6 in docs/compatibility.md: users are deactivated, later reactivated, never deleted
        ObjectNode inactive = PatchEngine.apply(
                        ScimSchemas.USER_TYPE, obj(USER), ops("{'op':'replace','value':{'active':false}}"))
                .resource();
        PatchResult r =
                PatchEngine.apply(ScimSchemas.USER_TYPE, inactive, ops("{'op':'replace','value':{'active':true}}"));
        assertEquals(obj(USER), r.resource());
    }

    @Test
    void okta7GroupRenameWithReadOnlyIdInValue() {
        PatchResult r = group("{'op':'replace','value':{'id':'g-1','displayName':'Renamed'}}");
        assertEquals("Renamed", r.resource().get("displayName").textValue());
        assertFalse(r.resource().has("id"));
        assertEquals(List.of("displayName"), r.changedAttributes());
        assertEquals(List.of(), r.memberOperations());
    }

    @Test
    void okta7FilteredRemoveMixedWithAdd() {
        PatchResult r = group("{'op':'remove','path':'members[value eq \\'u1\\']'},"
                + "{'op':'add','path':'members','value':[{'value':'u2','display':'U2'}]}");
        assertEquals(
                List.of(
                        new MemberOperation(REMOVE, List.of(new MemberRef("u1", null))),
                        new MemberOperation(ADD, List.of(new MemberRef("u2", null, "U2")))),
                r.memberOperations());
    }

    @Test
    void okta7FullSyncAndEmptyGroupByReplaceMembers() {
        PatchResult r =
                group("{'op':'replace','path':'members','value':[{'value':'u1'},{'value':'u2','type':'user'}]}");
        assertEquals(
                List.of(new MemberOperation(
                        REPLACE_ALL, List.of(new MemberRef("u1", null), new MemberRef("u2", "User")))),
                r.memberOperations());
        // an empty group is pushed as replace members [] (docs/compatibility.md, Okta 7)
        PatchResult empty = group("{'op':'replace','path':'members','value':[]}");
        assertEquals(List.of(new MemberOperation(REPLACE_ALL, List.of())), empty.memberOperations());
        // rename resent with membership in the same no-path value
        PatchResult both = group("{'op':'replace','value':{'id':'g','displayName':'N','members':[{'value':'u9'}]}}");
        assertEquals("N", both.resource().get("displayName").textValue());
        assertEquals(
                List.of(new MemberOperation(REPLACE_ALL, List.of(new MemberRef("u9", null)))), both.memberOperations());
    }

    // ------------------------------------------------------------ OneLogin

    @Test
    void oneLoginGroupMembershipPatchAndSingleEmailObject() {
        // OneLogin: membership as PATCH on /Groups, sometimes a single object instead of an array
        PatchResult g = group("{'op':'add','path':'members','value':{'value':'u1'}}");
        assertEquals(List.of(new MemberOperation(ADD, List.of(new MemberRef("u1", null)))), g.memberOperations());
        PatchResult u = user("{'op':'replace','path':'emails','value':{'value':'one@x','type':'work','primary':true}}");
        assertEquals(
                json("[{'value':'one@x','type':'work','primary':true}]"),
                u.resource().get("emails"));
    }

    // ------------------------------------------------------------ group members

    @Test
    void memberOperationsKeepRequestOrder() {
        PatchResult r = group("{'op':'remove','path':'members'},{'op':'add','path':'members','value':[{'value':'a'}]},"
                + "{'op':'remove','path':'members[value eq \\'b\\' or value eq \\'c\\']'},"
                + "{'op':'replace','path':'displayName','value':'X'}");
        assertEquals(
                List.of(
                        new MemberOperation(REMOVE_ALL, List.of()),
                        new MemberOperation(ADD, List.of(new MemberRef("a", null))),
                        new MemberOperation(REMOVE, List.of(new MemberRef("b", null), new MemberRef("c", null)))),
                r.memberOperations());
        assertEquals(List.of("displayName"), r.changedAttributes(), "members: see memberOperations");
        assertFalse(r.resource().has("members"));
    }

    @Test
    void otherFiltersOnMembersAreInvalidFilter() {
        assertEquals(
                "invalidFilter",
                fails(() -> group("{'op':'remove','path':'members[type eq \\'User\\']'}"))
                        .scimType());
        assertEquals(
                "invalidFilter",
                fails(() -> group("{'op':'remove','path':'members[value sw \\'u\\']'}"))
                        .scimType());
        assertEquals(
                "invalidFilter",
                fails(() -> group("{'op':'replace','path':'members[value eq \\'u\\']','value':{'value':'v'}}"))
                        .scimType());
    }

    @Test
    void memberValuesAreValidated() {
        assertEquals(
                "invalidValue",
                fails(() -> group("{'op':'add','path':'members','value':[{'display':'x'}]}"))
                        .scimType());
        assertEquals(
                "invalidValue",
                fails(() -> group("{'op':'add','path':'members','value':[{'value':'u','type':'Device'}]}"))
                        .scimType());
        assertEquals(
                "mutability",
                fails(() -> group("{'op':'replace','path':'members.display','value':'x'}"))
                        .scimType());
    }
}
