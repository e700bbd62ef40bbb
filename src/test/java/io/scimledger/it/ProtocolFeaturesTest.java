package io.scimledger.it;

import static io.scimledger.it.Scim.idp;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Search by POST, /Me, per-client PATCH answers, nested groups in User.groups, strict tenants, cursor pagination. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class ProtocolFeaturesTest {

    static final String SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

    @Test
    void postSearchOnAnEndpointTakesTheListParametersAsABody() {
        // RFC 7644 section 3.4.3
        String t = "search-" + UUID.randomUUID();
        String id = Scim.createUser(t, "searched");
        Scim.createUser(t, "other");
        idp(t).body("""
                {"schemas":["%s"],"filter":"userName eq \\"SEARCHED\\"","attributes":["userName"],"startIndex":1,"count":10}""".formatted(SEARCH))
                .post("/scim/v2/Users/.search")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(1))
                .body("Resources[0].id", equalTo(id))
                .body("Resources[0].emails", equalTo(null));
        idp(t).body("{\"schemas\":[\"%s\"],\"filter\":\"userName eq\"}".formatted(SEARCH))
                .post("/scim/v2/Users/.search")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidFilter"));
    }

    @Test
    void rootSearchSpansUsersAndGroups() {
        // RFC 7644 section 3.4.3, "/.search" at the root
        String t = "root-" + UUID.randomUUID();
        String u = Scim.createUser(t, "rooted");
        String g = Scim.createGroup(t, "Rooted group");
        idp(t).body("{\"schemas\":[\"%s\"]}".formatted(SEARCH))
                .post("/scim/v2/.search")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(2))
                .body("Resources.id", containsInAnyOrder(u, g));
        idp(t).body("{\"schemas\":[\"%s\"],\"filter\":\"displayName eq \\\"rooted group\\\"\"}".formatted(SEARCH))
                .post("/scim/v2/.search")
                .then()
                .statusCode(200)
                .body("Resources.id", hasItem(g));
        idp(t).body("{\"schemas\":[\"%s\"],\"startIndex\":2,\"count\":1}".formatted(SEARCH))
                .post("/scim/v2/.search")
                .then()
                .body("Resources", hasSize(1))
                .body("Resources[0].id", equalTo(g));
    }

    @Test
    void meIsNotImplementedByDefault() {
        // RFC 7644 section 3.11 allows 501
        idp("me").get("/scim/v2/Me").then().statusCode(501).body("status", equalTo("501"));
        idp("me").body("{}").post("/scim/v2/Me").then().statusCode(501);
    }

    @Test
    void groupPatchAnswers204ForAClientWhoseProfileSaysSo() {
        // docs/compatibility.md, Entra 12: Microsoft advises 204 for group PATCH
        String t = "profile-" + UUID.randomUUID();
        String g = Scim.createGroup(t, "Profiled");
        String u = Scim.createUser(t, "p");
        Scim.settings(t, "{\"groupPatchNoContentClients\":[\"entra-like-client\"]}");
        String entraLike = Tokens.token(t, "entra-like", Scopes.SCIM_READ, Scopes.SCIM_WRITE);
        String op = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"Add\","
                + "\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]}";
        Scim.as(entraLike)
                .body(op)
                .patch("/scim/v2/Groups/" + g)
                .then()
                .statusCode(204)
                .header("ETag", "W/\"2\"");
        // attributes requested: 200 with the resource, as RFC 7644 section 3.5.2 requires
        Scim.as(entraLike)
                .queryParam("attributes", "displayName")
                .body(op.replace("Add", "Remove"))
                .patch("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("displayName", equalTo("Profiled"));
        // everybody else: 200 with the resource
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                .statusCode(200)
                .body("members.value", hasItem(u));
    }

    @Test
    void userGroupsIncludeIndirectMembershipThroughNestedGroups() {
        // RFC 7643 section 4.1.2: groups, "direct" or "indirect"
        String t = "nested-" + UUID.randomUUID();
        String u = Scim.createUser(t, "nested");
        String inner = Scim.createGroup(t, "Inner");
        String outer = Scim.createGroup(t, "Outer");
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + inner,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                .statusCode(200);
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + outer,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + inner
                                + "\",\"type\":\"Group\"}]}]")
                .statusCode(200);
        // a cycle must not hang the query
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + inner,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + outer + "\"}]}]")
                .statusCode(200);
        idp(t).get("/scim/v2/Users/" + u)
                .then()
                .statusCode(200)
                .body("groups.find { it.value == '" + inner + "' }.type", equalTo("direct"))
                .body("groups.find { it.value == '" + outer + "' }.type", equalTo("indirect"))
                .body("groups", hasSize(2));
    }

    @Test
    void unknownAttributesAreIgnoredButRejectedInAStrictTenant() {
        // docs/compatibility.md, "Unknown-attribute policy": ignored by default, 400 in a strict tenant
        String body = """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                 "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/User"],
                 "userName":"lenient","favouriteColour":"blue","id":"ignored","meta":{"version":"x"}}""";
        idp("lenient-" + UUID.randomUUID())
                .body(body)
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("favouriteColour", equalTo(null));
        String strict = "strict-" + UUID.randomUUID();
        Scim.settings(strict, "{\"strictMode\":true}");
        idp(strict)
                .body(body)
                .post("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"))
                .body("detail", not(equalTo(null)));
        // read-only attributes we know are not "unknown", even for a strict tenant
        idp(strict)
                .body("{\"userName\":\"strict-ok\",\"id\":\"x\",\"groups\":[]}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201);
    }

    @Test
    void cursorPaginationWalksEveryResourceOnceAndCursorsCannotBeForgedOrMoved() {
        // RFC 9865 cursor pagination
        String t = "cursor-" + UUID.randomUUID();
        java.util.Set<String> created = new java.util.HashSet<>();
        for (int i = 0; i < 5; i++) {
            created.add(Scim.createUser(t, "cursor" + i));
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        String cursor = "";
        int pages = 0;
        while (cursor != null && pages < 10) {
            var r = idp(t).queryParam("cursor", cursor)
                    .queryParam("count", 2)
                    .get("/scim/v2/Users")
                    .then()
                    .statusCode(200)
                    .body("totalResults", equalTo(5))
                    .body("startIndex", equalTo(null))
                    .extract();
            java.util.List<String> ids = r.jsonPath().getList("Resources.id");
            ids.forEach(id -> org.junit.jupiter.api.Assertions.assertTrue(seen.add(id), "each resource once: " + id));
            cursor = r.path("nextCursor");
            pages++;
        }
        org.junit.jupiter.api.Assertions.assertEquals(created, seen);
        org.junit.jupiter.api.Assertions.assertEquals(3, pages);
        String first = idp(t).queryParam("cursor", "")
                .queryParam("count", 2)
                .get("/scim/v2/Users")
                .then()
                .extract()
                .path("nextCursor");
        // forged, moved to another tenant, or reused with another filter: all invalidCursor
        String forged = first.substring(0, first.length() - 3) + (first.endsWith("AAA") ? "BBB" : "AAA");
        idp(t).queryParam("cursor", forged)
                .get("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidCursor"));
        idp("other-" + t)
                .queryParam("cursor", first)
                .get("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidCursor"));
        idp(t).queryParam("cursor", first)
                .queryParam("filter", "userName sw \"cursor\"")
                .get("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidCursor"));
        idp(t).get("/scim/v2/ServiceProviderConfig")
                .then()
                .body("pagination.cursor", equalTo(true))
                .body("pagination.index", equalTo(true));
    }
}
