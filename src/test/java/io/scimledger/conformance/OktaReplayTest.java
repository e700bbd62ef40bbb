package io.scimledger.conformance;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.scimledger.it.Scim;
import io.scimledger.it.Tokens;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Replays of the request shapes Okta sends, as listed (with their public sources) in docs/compatibility.md, rows
 * Okta 1-8, sent as Okta's SPEC test does: Content-Type application/json. Test names carry the row numbers.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class OktaReplayTest {

    static RequestSpecification okta(String tenant) {
        return given().auth()
                .oauth2(Tokens.idp(tenant))
                .contentType("application/json")
                .accept("application/scim+json");
    }

    static String oktaUser(String userName) {
        return """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%1$s",
                 "name":{"givenName":"Okta","familyName":"User"},
                 "emails":[{"primary":true,"value":"%1$s","type":"work"}],"displayName":"Okta User",
                 "locale":"en-US","externalId":"00u%2$s","groups":[],"password":"1mz050nq","active":true}""".formatted(userName, Math.abs(userName.hashCode()));
    }

    @Test
    void okta01and08_lookupWithStartIndexAndCountAndCaseVariantUserName() {
        String t = Conf.tenant("okta");
        String id = okta(t).body(oktaUser("Okta.Lookup@example.com"))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        okta(t).queryParam("filter", "userName eq \"okta.lookup@EXAMPLE.com\"")
                .queryParam("startIndex", 1)
                .queryParam("count", 100)
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/scim+json"))
                .body("schemas", contains(Conf.LIST))
                .body("totalResults", equalTo(1))
                .body("startIndex", equalTo(1))
                .body("itemsPerPage", equalTo(1))
                .body("Resources[0].id", equalTo(id));
        okta(t).queryParam("filter", "userName eq \"nobody@example.com\"")
                .queryParam("startIndex", 1)
                .queryParam("count", 100)
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(0));
    }

    @Test
    void okta02_createWithPasswordEmptyGroupsLocaleThenDuplicateIs409() {
        String t = Conf.tenant("okta");
        okta(t).body(oktaUser("dup@example.com"))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("password", nullValue())
                .body("locale", equalTo("en-US"))
                .body("externalId", notNullValue())
                .body("groups", nullValue())
                .body("active", equalTo(true));
        okta(t).body(oktaUser("DUP@example.com"))
                .post("/scim/v2/Users")
                .then()
                .statusCode(409)
                .contentType(startsWith("application/scim+json"))
                .body("schemas", hasItem(Conf.ERROR))
                .body("scimType", equalTo("uniqueness"))
                .body("status", equalTo("409"))
                .body("detail", notNullValue());
    }

    @Test
    void okta03_importPagesAreStableAndCountsAreNumbers() {
        String t = Conf.tenant("okta");
        for (int i = 0; i < 5; i++) {
            okta(t).body(oktaUser("imp" + i + "@example.com"))
                    .post("/scim/v2/Users")
                    .then()
                    .statusCode(201);
        }
        List<String> all = okta(t).queryParam("startIndex", 1)
                .queryParam("count", 100)
                .get("/scim/v2/Users")
                .then()
                .extract()
                .jsonPath()
                .getList("Resources.id");
        List<String> paged = new ArrayList<>();
        for (int start = 1; start <= 5; start += 2) {
            JsonPath page = okta(t).queryParam("startIndex", start)
                    .queryParam("count", 2)
                    .get("/scim/v2/Users")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertEquals(Integer.class, page.get("totalResults").getClass());
            assertEquals(Integer.class, page.get("itemsPerPage").getClass());
            paged.addAll(page.getList("Resources.id"));
        }
        assertEquals(all, paged);
    }

    @Test
    void okta04_getThenPutTheFullResourceIncludingIdMetaGroups() {
        String t = Conf.tenant("okta");
        String id = okta(t).body(oktaUser("put@example.com"))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String g = Scim.createGroup(t, "Okta group");
        Conf.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + id + "\"}]}]")
                .statusCode(200);
        String full = okta(t).get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("groups", hasSize(1))
                .extract()
                .asString();
        // change one attribute, keep the rest as read (id, meta, groups included)
        String changed =
                full.replace("\"Okta User\"", "\"Okta Renamed\"").replace("\"active\":true", "\"active\":false");
        okta(t).body(changed)
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("id", equalTo(id))
                .body("displayName", equalTo("Okta Renamed"))
                .body("active", equalTo(false))
                .body("groups.value", contains(g))
                .body("meta.version", equalTo("W/\"2\""))
                .body("name.givenName", equalTo("Okta"))
                .body("emails[0].value", equalTo("put@example.com"));
        // a PUT of an unchanged resource is accepted too
        String again = okta(t).get("/scim/v2/Users/" + id).then().extract().asString();
        okta(t).body(again).put("/scim/v2/Users/" + id).then().statusCode(200).body("id", equalTo(id));
    }

    @Test
    void okta05_deactivateByNoPathReplace() {
        String t = Conf.tenant("okta");
        String id = okta(t).body(oktaUser("deact@example.com"))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        okta(t).body(Conf.patchBody("[{\"op\":\"replace\",\"value\":{\"active\":false}}]"))
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("active", equalTo(false))
                .body("userName", equalTo("deact@example.com"));
        // password change by PATCH: accepted, never echoed
        okta(t).body(Conf.patchBody("[{\"op\":\"replace\",\"value\":{\"password\":\"n3wPass\"}}]"))
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("password", nullValue());
        okta(t).get("/scim/v2/Users/" + id).then().statusCode(200).body("active", equalTo(false));
    }

    @Test
    void okta07_groupPushRenameMembershipAndFullSync() {
        String t = Conf.tenant("okta");
        String a = Scim.createUser(t, "a@example.com");
        String b = Scim.createUser(t, "b@example.com");
        String c = Scim.createUser(t, "c@example.com");
        String g = okta(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"Pushed\",\"members\":[]}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .body("displayName", equalTo("Pushed"))
                .body("members", equalTo(java.util.List.of()))
                .extract()
                .path("id");
        // rename with the read-only id inside the value, resent with a membership update
        okta(t).body(Conf.patchBody("""
                [{"op":"replace","value":{"id":"%s","displayName":"Pushed 2"}},
                 {"op":"add","path":"members","value":[{"value":"%s","display":"a@example.com"},{"value":"%s"}]}]""".formatted(g, a, b)))
                .patch("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("id", equalTo(g))
                .body("displayName", equalTo("Pushed 2"))
                .body("members.value", containsInAnyOrder(a, b));
        // filtered remove and add in one PATCH
        okta(t).body(Conf.patchBody("""
                [{"op":"remove","path":"members[value eq \\"%s\\"]"},
                 {"op":"add","path":"members","value":[{"value":"%s"}]}]""".formatted(a, c)))
                .patch("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members.value", containsInAnyOrder(b, c));
        // full sync
        okta(t).body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"members\",\"value\":[{\"value\":\"" + a
                        + "\"},{\"value\":\"" + c + "\"}]}]"))
                .patch("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members.value", containsInAnyOrder(a, c));
        // empty group pushed as replace members []
        okta(t).body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"members\",\"value\":[]}]"))
                .patch("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members", equalTo(java.util.List.of()));
        okta(t).get("/scim/v2/Users/" + a).then().body("groups", nullValue());
        // the group list Okta reads back (how fast it answers is measured by bench/ScimBench.java, not here)
        okta(t).get("/scim/v2/Groups")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(1))
                .body("Resources[0].id", equalTo(g))
                .body("Resources[0].displayName", equalTo("Pushed 2"))
                .body("Resources[0].members", equalTo(java.util.List.of())); // docs/compatibility.md: members as []
    }

    @Test
    void okta08_badTokenIs401WithScimBodyAndUnknownIdIs404() {
        given().auth()
                .oauth2("bad-token")
                .contentType("application/json")
                .get("/scim/v2/Users")
                .then()
                .statusCode(401)
                .contentType(startsWith("application/scim+json"))
                .body("schemas", hasItem(Conf.ERROR))
                .body("status", equalTo("401"))
                .body("detail", notNullValue());
        String t = Conf.tenant("okta");
        okta(t).get("/scim/v2/Users/" + UUID.randomUUID())
                .then()
                .statusCode(404)
                .body("schemas", hasItem(Conf.ERROR))
                .body("status", equalTo("404"))
                .body("detail", notNullValue());
        okta(t).get("/scim/v2/Groups/" + UUID.randomUUID())
                .then()
                .statusCode(404)
                .body("status", equalTo("404"));
    }
}
