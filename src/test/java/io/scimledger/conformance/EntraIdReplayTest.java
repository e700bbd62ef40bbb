package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static io.scimledger.conformance.Conf.patch;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Scim;
import io.scimledger.it.Tokens;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Replays of the request shapes Microsoft Entra ID sends, as listed (with their public sources) in
 * docs/compatibility.md, "Per identity provider". Each test name carries the row number there (entra01 = Entra 1).
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class EntraIdReplayTest {

    @Test
    void entra01_capitalisedOpsAndOperationsKey() {
        String t = Conf.tenant("entra");
        String id = Scim.createUser(t, "ops.case");
        idp(t).body("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                 {"op":"Add","path":"nickName","value":"N"},
                 {"op":"Replace","path":"displayName","value":"D"},
                 {"op":"Remove","path":"title"},
                 {"op":"REPLACE","path":"userName","value":"ops.case.2"}]}""")
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("nickName", equalTo("N"))
                .body("displayName", equalTo("D"))
                .body("userName", equalTo("ops.case.2"));
        // structural names in other case too: "operations", "Path", "Value", "OP"
        idp(t).body("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"operations":[
                 {"OP":"Replace","Path":"title","Value":"Lower ops key"}]}""").patch("/scim/v2/Users/" + id).then().statusCode(200).body("title", equalTo("Lower ops key"));
    }

    @Test
    void entra02_booleanStringsInPatchAndPost() {
        String t = Conf.tenant("entra");
        String id = idp(t).body("{\"userName\":\"bools\",\"active\":\"True\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("active", equalTo(true))
                .extract()
                .path("id");
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]")
                .statusCode(200)
                .body("active", equalTo(false));
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"true\"}]")
                .statusCode(200)
                .body("active", equalTo(true));
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"Replace\",\"value\":{\"active\":\"false\"}}]")
                .statusCode(200)
                .body("active", equalTo(false));
        // Entra 13 (docs/compatibility.md): inactive users stay visible to GET and filters
        idp(t).get("/scim/v2/Users/" + id).then().statusCode(200).body("active", equalTo(false));
        idp(t).queryParam("filter", "userName eq \"bools\"")
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(1));
        // a string that is not a boolean is still an error
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"maybe\"}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
    }

    @Test
    void entra03and04_memberAddWithNullRefAndRemoveWithoutFilter() {
        String t = Conf.tenant("entra");
        String g = Scim.createGroup(t, "Entra group");
        String a = Scim.createUser(t, "a");
        String b = Scim.createUser(t, "b");
        patch(t, "/scim/v2/Groups/" + g, """
                [{"op":"Add","path":"members","value":[{"$ref":null,"value":"%s"},{"$ref":null,"value":"%s"}]}]""".formatted(a, b))
                .statusCode(200)
                .body("members.value", containsInAnyOrder(a, b));
        patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"Remove\",\"path\":\"members\",\"value\":[{\"value\":\"" + a + "\"}]}]")
                .statusCode(200)
                .body("members.value", contains(b));
        // removing a member that is not there is not an error
        patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"Remove\",\"path\":\"members\",\"value\":[{\"value\":\"" + a + "\"}]}]")
                .statusCode(200)
                .body("members.value", contains(b));
    }

    @Test
    void entra05_noPathReplaceWithPathKeysIncludingEnterpriseUrnKeys() {
        String t = Conf.tenant("entra");
        String id = Conf.createUser(
                t, "{\"userName\":\"pathkeys\",\"name\":{\"givenName\":\"Old\",\"familyName\":\"Keep\"}}");
        patch(t, "/scim/v2/Users/" + id, """
                [{"op":"Replace","value":{"name.givenName":"New","displayName":"New Keep",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"E-7",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Finance",
                  "emails[type eq \\"work\\"].value":"pk@example.com"}}]""")
                .statusCode(200)
                .body("name.givenName", equalTo("New"))
                .body("name.familyName", equalTo("Keep"))
                .body("displayName", equalTo("New Keep"))
                .body("'" + Conf.ENTERPRISE + "'.employeeNumber", equalTo("E-7"))
                .body("'" + Conf.ENTERPRISE + "'.department", equalTo("Finance"))
                .body("schemas", hasItem(Conf.ENTERPRISE))
                .body("emails.find { it.type == 'work' }.value", equalTo("pk@example.com"));
        idp(t).queryParam("filter", Conf.ENTERPRISE + ":employeeNumber eq \"E-7\"")
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(1));
    }

    @Test
    void entra06_replaceWorkEmailValueCreatesTheMissingWorkEmail() {
        String t = Conf.tenant("entra");
        String id = Conf.createUser(
                t, "{\"userName\":\"noemail\",\"emails\":[{\"value\":\"home@example.com\",\"type\":\"home\"}]}");
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"Replace\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"work@example.com\"}]")
                .statusCode(200)
                .body("emails", hasSize(2))
                .body("emails.find { it.type == 'work' }.value", equalTo("work@example.com"))
                .body("emails.find { it.type == 'home' }.value", equalTo("home@example.com"));
        // and again: replaces, does not add a second work email (Entra keeps one value per type)
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"Replace\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"work2@example.com\"}]")
                .statusCode(200)
                .body("emails", hasSize(2))
                .body("emails.find { it.type == 'work' }.value", equalTo("work2@example.com"));
    }

    @Test
    void entra10_userLookupByWorkEmailValuePathFilter() {
        // Entra 10 (docs/compatibility.md): Entra looks users up by emails[type eq "work"].value
        String t = Conf.tenant("entra");
        Conf.createUser(
                t,
                "{\"userName\":\"bymail\",\"emails\":[{\"value\":\"work2@example.com\",\"type\":\"work\"},"
                        + "{\"value\":\"home2@example.com\",\"type\":\"home\"}]}");
        idp(t).queryParam("filter", "emails[type eq \"work\"].value eq \"work2@example.com\"")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(1));
        // the type condition binds: the home address does not match as a work email
        idp(t).queryParam("filter", "emails[type eq \"work\"].value eq \"home2@example.com\"")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(0));
    }

    @Test
    void entra07_managerAsABareString() {
        String t = Conf.tenant("entra");
        String boss = Scim.createUser(t, "boss");
        String id = Scim.createUser(t, "report");
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"Add\",\"path\":\"" + Conf.ENTERPRISE + ":manager\",\"value\":\"" + boss + "\"}]")
                .statusCode(200)
                .body("'" + Conf.ENTERPRISE + "'.manager.value", equalTo(boss));
        // and removal
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"Remove\",\"path\":\"" + Conf.ENTERPRISE + ":manager\"}]")
                .statusCode(200)
                .body("'" + Conf.ENTERPRISE + "'.manager", nullValue());
    }

    @Test
    void entra08_rolesAsStringifiedJson() {
        String t = Conf.tenant("entra");
        String id = Scim.createUser(t, "roles");
        // AppRoleAssignmentsComplex: each element's value is a stringified element
        patch(t, "/scim/v2/Users/" + id, """
                [{"op":"Add","path":"roles","value":[{"value":"{\\"id\\":\\"r1\\",\\"value\\":\\"Admin\\",\\"displayName\\":\\"Administrator\\"}"}]}]""")
                .statusCode(200)
                .body("roles[0].value", equalTo("Admin"))
                .body("roles[0].display", equalTo("Administrator"));
        // the whole value stringified
        patch(t, "/scim/v2/Users/" + id, """
                [{"op":"Replace","path":"roles","value":"[{\\"value\\":\\"Reader\\",\\"primary\\":true},{\\"value\\":\\"Writer\\"}]"}]""")
                .statusCode(200)
                .body("roles.value", containsInAnyOrder("Reader", "Writer"));
    }

    @Test
    void entra09_addOnASingleValuedAttributeReplaces() {
        String t = Conf.tenant("entra");
        String id = Conf.createUser(t, "{\"userName\":\"single\",\"title\":\"Old\",\"name\":{\"givenName\":\"G\"}}");
        patch(t, "/scim/v2/Users/" + id, """
                [{"op":"Add","path":"title","value":"New"},{"op":"Add","path":"name.givenName","value":"H"},
                 {"op":"Add","path":"active","value":"False"}]""")
                .statusCode(200)
                .body("title", equalTo("New"))
                .body("name.givenName", equalTo("H"))
                .body("active", equalTo(false));
    }

    @Test
    void entra10_groupFiltersWithDisplayNameInOtherCaseAndExcludedMembers() {
        String t = Conf.tenant("entra");
        String u = Scim.createUser(t, "gm");
        String g = idp(t).body("{\"displayName\":\"Sales EMEA\",\"externalId\":\"ent-1\",\"members\":[{\"value\":\"" + u
                        + "\"}]}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        idp(t).queryParam("filter", "DisplayName eq \"Sales EMEA\"")
                .queryParam("excludedAttributes", "members")
                .get("/scim/v2/Groups")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(1))
                .body("Resources[0].id", equalTo(g))
                .body("Resources[0].members", nullValue());
        idp(t).queryParam("filter", "externalId eq \"ent-1\"")
                .queryParam("excludedAttributes", "members")
                .get("/scim/v2/Groups")
                .then()
                .body("Resources[0].id", equalTo(g));
        idp(t).queryParam("excludedAttributes", "members")
                .get("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members", nullValue())
                .body("displayName", equalTo("Sales EMEA"));
        // users: userName and externalId with "and"
        Conf.createUser(t, "{\"userName\":\"both@example.com\",\"externalId\":\"x-1\"}");
        idp(t).queryParam("filter", "userName eq \"both@example.com\" and externalId eq \"x-1\"")
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(1));
    }

    @Test
    void entra11_testConnectionFilterOnARandomUserNameIs200EmptyList() {
        String t = Conf.tenant("entra");
        idp(t).queryParam("filter", "userName eq \"" + UUID.randomUUID() + "\"")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("schemas", contains(Conf.LIST))
                .body("totalResults", equalTo(0))
                .body("Resources", hasSize(0));
    }

    @Test
    void entra12_groupPatch204ForConfiguredClientAnd200Otherwise() {
        // ProtocolFeaturesTest covers Add with entra-like-client; this covers Replace/Remove shapes and the ETag
        String t = Conf.tenant("entra");
        String g = Scim.createGroup(t, "Quiet");
        String u = Scim.createUser(t, "q");
        io.scimledger.it.Scim.settings(t, "{\"groupPatchNoContentClients\":[\"entra-like-client\"]}");
        String entraLike = Tokens.token(t, "entra-like", Scopes.SCIM_READ, Scopes.SCIM_WRITE);
        Scim.as(entraLike)
                .body(Conf.patchBody("[{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Quiet 2\"}]"))
                .patch("/scim/v2/Groups/" + g)
                .then()
                .statusCode(204)
                .header("ETag", equalTo("W/\"2\""));
        Scim.as(entraLike)
                .queryParam("excludedAttributes", "members")
                .body(Conf.patchBody("[{\"op\":\"Add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]"))
                .patch("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("displayName", equalTo("Quiet 2"))
                .body("members", nullValue());
        idp(t).get("/scim/v2/Groups/" + g).then().body("members.value", contains(u));
    }

    @Test
    void entra12_tokenFromAnEntraIssuerIsRejectedUnlessTheServerTrustsThatIssuer() {
        // the issuer-prefix rule can only fire when mp.jwt.verify.issuer is an Entra issuer: in this (test)
        // configuration such a token is not trusted at all and gets a SCIM 401
        String entra = io.smallrye.jwt.build.Jwt.issuer("https://sts.windows.net/00000000-0000-0000-0000-000000000000/")
                .subject("x")
                .claim("tenant", "t")
                .claim("scope", Scopes.SCIM_READ + " " + Scopes.SCIM_WRITE)
                .sign(tokensKey());
        Scim.as(entra).get("/scim/v2/Groups").then().statusCode(401).body("status", equalTo("401"));
    }

    @Test
    void entra13_disableAndSoftDeleteKeepTheUserVisible() {
        String t = Conf.tenant("entra");
        String id = Conf.createUser(t, "{\"userName\":\"soft\",\"externalId\":\"s-1\"}");
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]")
                .statusCode(200);
        idp(t).queryParam("filter", "externalId eq \"s-1\"")
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(1))
                .body("Resources[0].active", equalTo(false));
        idp(t).get("/scim/v2/Users").then().body("Resources.userName", hasItem("soft"));
    }

    @Test
    void entra14_createBodiesWithMetaEmptyRolesAdscimSchemaDisplayNameMembersAndPrimaryKeys() {
        String t = Conf.tenant("entra");
        String u = idp(t).body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                  "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/User"],
                 "externalId":"e-14","userName":"entra14@contoso.com","active":true,"displayName":"E 14",
                 "meta":{"resourceType":"User"},"roles":[],
                 "emails":[{"Primary":true,"type":"work","value":"entra14@contoso.com"}],
                 "name":{"formatted":"E 14","familyName":"14","givenName":"E"},
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Dept"}}""")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("emails[0].primary", equalTo(true))
                .body("roles", nullValue())
                .body("meta.resourceType", equalTo("User"))
                .body("'" + Conf.ENTERPRISE + "'.department", equalTo("Dept"))
                .extract()
                .path("id");
        idp(t).body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group",
                  "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                 "externalId":"g-14","displayName":"Entra 14","meta":{"resourceType":"Group"},
                 "members":[{"value":"%s","displayName":"E 14"}]}""".formatted(u))
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .body("members.value", contains(u))
                .body("members[0].display", equalTo("E 14"));
    }

    private static java.security.PrivateKey tokensKey() {
        try {
            return io.smallrye.jwt.util.KeyUtils.decodePrivateKey(
                    java.nio.file.Files.readString(java.nio.file.Path.of("deploy/dev-keys/dev-jwt-private.pem")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
