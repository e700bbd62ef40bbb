package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static io.scimledger.conformance.Conf.patch;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Db;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;

/**
 * RFC 7644 section 3.5.2 PATCH. UsersApiTest covers capitalised Replace of active/title, invalidPath for an unknown
 * attribute with atomicity, an unknown op, and the 409 rename; GroupsApiTest covers member add/remove/replace.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class PatchTest {

    static String user(String t) {
        return Conf.createUser(t, """
                {"schemas":["%s","%s"],"userName":"patchee","title":"T","name":{"givenName":"G","familyName":"F"},
                 "emails":[{"value":"w@example.com","type":"work","primary":true},{"value":"h@example.com","type":"home"}],
                 "addresses":[{"type":"work","locality":"Oslo","country":"NO"}],
                 "%s":{"employeeNumber":"1","department":"D"}}""".formatted(Conf.USER, Conf.ENTERPRISE, Conf.ENTERPRISE));
    }

    @Test
    void rfc7644_3_5_2_1_addAppendsToMultiValuedAndSetsSingleValued() {
        String t = Conf.tenant("patch");
        String id = user(t);
        patch(t, "/scim/v2/Users/" + id, """
                [{"op":"add","path":"emails","value":[{"value":"o@example.com","type":"other"}]},
                 {"op":"add","path":"nickName","value":"Nick"},
                 {"op":"add","path":"name.middleName","value":"M"}]""")
                .statusCode(200)
                .body("emails.value", containsInAnyOrder("w@example.com", "h@example.com", "o@example.com"))
                .body("nickName", equalTo("Nick"))
                .body("name.middleName", equalTo("M"))
                .body("name.givenName", equalTo("G"));
        // adding an identical value again does not duplicate it (RFC 7644 3.5.2.1)
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"o@example.com\",\"type\":\"other\"}]}]")
                .statusCode(200)
                .body("emails", hasSize(3));
    }

    @Test
    void rfc7644_3_5_2_1_addWithoutPathMergesTheObject() {
        String t = Conf.tenant("patch");
        String id = user(t);
        patch(t, "/scim/v2/Users/" + id, """
                [{"op":"add","value":{"nickName":"NoPath","emails":[{"value":"x@example.com","type":"other"}],
                  "name":{"honorificPrefix":"Dr"}}}]""")
                .statusCode(200)
                .body("nickName", equalTo("NoPath"))
                .body("emails", hasSize(3))
                .body("name.honorificPrefix", equalTo("Dr"))
                .body("name.familyName", equalTo("F"));
    }

    @Test
    void rfc7644_3_5_2_3_replaceComplexKeepsUnspecifiedSubAttributes() {
        String t = Conf.tenant("patch");
        String id = user(t);
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"name\",\"value\":{\"givenName\":\"New\"}}]")
                .statusCode(200)
                .body("name.givenName", equalTo("New"))
                .body("name.familyName", equalTo("F"));
        // replace of a whole multi-valued attribute replaces all values
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"emails\",\"value\":[{\"value\":\"only@example.com\"}]}]")
                .statusCode(200)
                .body("emails.value", containsInAnyOrder("only@example.com"));
        // replace of an attribute that did not exist adds it
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"profileUrl\",\"value\":\"https://p.example\"}]")
                .statusCode(200)
                .body("profileUrl", equalTo("https://p.example"));
    }

    @Test
    void rfc7644_3_5_2_valuePathsWithSubAttributes() {
        String t = Conf.tenant("patch");
        String id = user(t);
        patch(t, "/scim/v2/Users/" + id, """
                [{"op":"replace","path":"emails[type eq \\"work\\"].value","value":"w2@example.com"},
                 {"op":"replace","path":"addresses[type eq \\"work\\"].locality","value":"Bergen"}]""")
                .statusCode(200)
                .body("emails.find { it.type == 'work' }.value", equalTo("w2@example.com"))
                .body("emails.find { it.type == 'home' }.value", equalTo("h@example.com"))
                .body("addresses[0].locality", equalTo("Bergen"))
                .body("addresses[0].country", equalTo("NO"));
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"remove\",\"path\":\"emails[type eq \\\"home\\\"]\"}]")
                .statusCode(200)
                .body("emails.value", containsInAnyOrder("w2@example.com"));
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"remove\",\"path\":\"addresses[type eq \\\"work\\\"].country\"}]")
                .statusCode(200)
                .body("addresses[0].country", nullValue())
                .body("addresses[0].locality", equalTo("Bergen"));
    }

    @Test
    void rfc7644_3_5_2_urnQualifiedPaths() {
        String t = Conf.tenant("patch");
        String id = user(t);
        String manager = Scim.createUser(t, "the.boss");
        patch(t, "/scim/v2/Users/" + id, """
                [{"op":"replace","path":"%1$s:department","value":"Ops"},
                 {"op":"add","path":"%1$s:manager","value":{"value":"%2$s"}},
                 {"op":"replace","path":"%3$s:title","value":"URN title"},
                 {"op":"remove","path":"%1$s:employeeNumber"}]""".formatted(Conf.ENTERPRISE, manager, Conf.USER))
                .statusCode(200)
                .body("'" + Conf.ENTERPRISE + "'.department", equalTo("Ops"))
                .body("'" + Conf.ENTERPRISE + "'.manager.value", equalTo(manager))
                .body("'" + Conf.ENTERPRISE + "'.employeeNumber", nullValue())
                .body("title", equalTo("URN title"));
        // case-insensitive URN and attribute names
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"" + Conf.ENTERPRISE.toUpperCase()
                                + ":Department\",\"value\":\"Upper\"}]")
                .statusCode(200)
                .body("'" + Conf.ENTERPRISE + "'.department", equalTo("Upper"));
    }

    @Test
    void rfc7643_2_4_primaryStaysUnique() {
        String t = Conf.tenant("patch");
        String id = user(t);
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"p@example.com\",\"type\":\"other\",\"primary\":true}]}]")
                .statusCode(200)
                .body("emails.findAll { it.primary == true }.value", containsInAnyOrder("p@example.com"));
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"emails[type eq \\\"home\\\"].primary\",\"value\":true}]")
                .statusCode(200)
                .body("emails.findAll { it.primary == true }.value", containsInAnyOrder("h@example.com"));
        // two primaries in one value is invalid
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"emails\",\"value\":[{\"value\":\"a@x.org\",\"primary\":true},{\"value\":\"b@x.org\",\"primary\":true}]}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
    }

    @Test
    void rfc7644_3_5_2_noTargetErrors() {
        String t = Conf.tenant("patch");
        String id = user(t);
        long before = Db.eventCount(t);
        // remove without path
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"remove\"}]")
                .statusCode(400)
                .body("scimType", equalTo("noTarget"));
        // filter that matches nothing
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"remove\",\"path\":\"emails[type eq \\\"fax\\\"]\"}]")
                .statusCode(400)
                .body("scimType", equalTo("noTarget"));
        // replace through a filter that matches nothing and is not a set of equalities (see below) is noTarget
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"addresses[locality sw \\\"Z\\\"]\",\"value\":{\"locality\":\"x\"}}]")
                .statusCode(400)
                .body("scimType", equalTo("noTarget"));
        assertEquals(before, Db.eventCount(t));
    }

    @Test
    void rfc7644_3_5_2_3_deviation_replaceThroughAnUnmatchedEqualityFilterCreatesTheElement() {
        // Deliberate deviation from RFC 7644 3.5.2.3 (which says noTarget) for Entra 6: an equality filter
        // describes the element to create. Documented in docs/compatibility.md.
        String t = Conf.tenant("patch");
        String id = user(t);
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"addresses[type eq \\\"home\\\"]\",\"value\":{\"locality\":\"x\"}}]")
                .statusCode(200)
                .body("addresses", hasSize(2))
                .body("addresses.find { it.type == 'home' }.locality", equalTo("x"));
    }

    @Test
    void rfc7644_3_5_2_invalidPathErrors() {
        String t = Conf.tenant("patch");
        String id = user(t);
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"name.noSuchSub\",\"value\":\"x\"}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidPath"));
        // a PATCH path is parsed as a path (FilterParser.parsePatchPath), so even a broken value filter inside it is
        // an invalidPath, not an invalidFilter
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"emails[type eq \\\"work\\\"\",\"value\":\"x\"}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidPath"));
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"title[value eq \\\"x\\\"]\",\"value\":\"x\"}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidPath"))
                .body("detail", containsString("a value filter needs a multi-valued attribute"));
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"urn:example:nope:1.0:User:x\",\"value\":\"x\"}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidPath"));
    }

    @Test
    void rfc7644_3_5_2_mutabilityErrors() {
        String t = Conf.tenant("patch");
        String id = user(t);
        long before = Db.eventCount(t);
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"id\",\"value\":\"x\"}]")
                .statusCode(400)
                .body("scimType", equalTo("mutability"));
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"meta.created\",\"value\":\"2000-01-01T00:00:00Z\"}]")
                .statusCode(400)
                .body("scimType", equalTo("mutability"));
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"add\",\"path\":\"groups\",\"value\":[{\"value\":\"x\"}]}]")
                .statusCode(400)
                .body("scimType", equalTo("mutability"));
        // userName is required: removing it is refused as a mutability error (RFC 7644 3.5.2.2)
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"remove\",\"path\":\"userName\"}]")
                .statusCode(400)
                .body("scimType", equalTo("mutability"))
                .body("detail", containsString("'userName' is required"));
        String g = Scim.createGroup(t, "immutable");
        String u = Scim.createUser(t, "m");
        patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                .statusCode(200);
        long mid = Db.eventCount(t);
        patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"replace\",\"path\":\"members[value eq \\\"" + u
                                + "\\\"].type\",\"value\":\"Group\"}]")
                .statusCode(400)
                .body("scimType", equalTo("mutability"));
        assertEquals(mid, Db.eventCount(t));
        assertEquals(before + 3, mid);
    }

    @Test
    void rfc7644_3_5_2_atomicity_failingSecondOperationLeavesUserAndLogUnchanged() {
        String t = Conf.tenant("patch");
        String id = user(t);
        String etag = idp(t).get("/scim/v2/Users/" + id).then().extract().header("ETag");
        long before = Db.eventCount(t);
        patch(t, "/scim/v2/Users/" + id, """
                [{"op":"replace","path":"title","value":"changed"},
                 {"op":"add","path":"emails","value":[{"value":"new@example.com"}]},
                 {"op":"remove","path":"emails[type eq \\"fax\\"]"}]""").statusCode(400).body("scimType", equalTo("noTarget"));
        patch(t, "/scim/v2/Users/" + id, """
                [{"op":"replace","path":"title","value":"changed"},{"op":"replace","path":"id","value":"x"}]""").statusCode(400).body("scimType", equalTo("mutability"));
        assertEquals(before, Db.eventCount(t));
        idp(t).get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .header("ETag", equalTo(etag))
                .body("title", equalTo("T"))
                .body("emails", hasSize(2));
    }

    @Test
    void rfc7644_3_5_2_atomicity_failingSecondOperationLeavesGroupMembershipUnchanged() {
        String t = Conf.tenant("patch");
        String g = Scim.createGroup(t, "Atomic");
        String a = Scim.createUser(t, "a");
        long before = Db.eventCount(t);
        patch(t, "/scim/v2/Groups/" + g, """
                [{"op":"add","path":"members","value":[{"value":"%s"}]},
                 {"op":"replace","path":"displayName","value":"Renamed"},
                 {"op":"replace","path":"id","value":"x"}]""".formatted(a)).statusCode(400).body("scimType", equalTo("mutability"));
        assertEquals(before, Db.eventCount(t));
        assertEquals(0, Db.count("SELECT count(*) FROM group_membership WHERE group_id = ?::uuid", g));
        idp(t).get("/scim/v2/Groups/" + g)
                .then()
                .body("displayName", equalTo("Atomic"))
                .body("members", equalTo(java.util.List.of()))
                .body("meta.version", equalTo("W/\"1\""));
    }

    @Test
    void rfc7644_3_5_2_emptyOrMalformedPatchBodies() {
        String t = Conf.tenant("patch");
        String id = user(t);
        idp(t).body("{\"schemas\":[\"" + Conf.PATCH_OP + "\"],\"Operations\":[]}")
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(400)
                .body("status", equalTo("400"))
                .body("scimType", equalTo("invalidValue"));
        idp(t).body("{\"schemas\":[\"" + Conf.PATCH_OP + "\"],\"Operations\":[{\"path\":\"title\",\"value\":\"x\"}]}")
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidSyntax"));
        idp(t).body("{\"schemas\":[\"" + Conf.PATCH_OP + "\"],\"Operations\":[{\"op\":\"add\",\"path\":\"title\"}]}")
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
    }

    @Test
    void rfc7644_3_5_2_userPatchAlwaysAnswers200WithTheResource() {
        // the 204 profile applies to Group PATCH only (docs/compatibility.md)
        String t = Conf.tenant("patch");
        String id = Scim.createUser(t, "u204");
        io.scimledger.it.Scim.settings(t, "{\"groupPatchNoContentClients\":[\"entra-like-client\"]}");
        String entraLike = io.scimledger.it.Tokens.token(
                t, "entra-like", io.scimledger.security.Scopes.SCIM_READ, io.scimledger.security.Scopes.SCIM_WRITE);
        Scim.as(entraLike)
                .body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}]"))
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("title", equalTo("x"));
    }
}
