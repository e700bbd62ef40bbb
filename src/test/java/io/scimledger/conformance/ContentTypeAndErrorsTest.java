package io.scimledger.conformance;

import static io.restassured.RestAssured.given;
import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Db;
import io.scimledger.it.Scim;
import io.scimledger.it.Tokens;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * RFC 7644 sections 3.1 / 3.2 (media types) and 3.12 (error responses). UsersApiTest already covers POST /Users with
 * application/json and text/plain, 404 for an unknown user and 405 on ServiceProviderConfig; this covers the rest.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class ContentTypeAndErrorsTest {

    @Test
    void rfc7644_3_1_everyResponseKindIsScimJson() {
        String t = Conf.tenant("ct");
        String id = Scim.createUser(t, "ct.user");
        String g = Scim.createGroup(t, "CT");
        // resource, list, search, discovery, patch, put: all application/scim+json
        idp(t).get("/scim/v2/Users/" + id).then().statusCode(200).contentType(startsWith("application/scim+json"));
        idp(t).get("/scim/v2/Groups/" + g).then().statusCode(200).contentType(startsWith("application/scim+json"));
        idp(t).get("/scim/v2/Users").then().statusCode(200).contentType(startsWith("application/scim+json"));
        idp(t).body("{\"schemas\":[\"" + Conf.SEARCH + "\"]}")
                .post("/scim/v2/Users/.search")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/scim+json"));
        for (String d : new String[] {"ServiceProviderConfig", "ResourceTypes", "Schemas"}) {
            idp(t).get("/scim/v2/" + d).then().statusCode(200).contentType(startsWith("application/scim+json"));
        }
        Conf.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}]")
                .statusCode(200)
                .contentType(startsWith("application/scim+json"));
        idp(t).body("{\"userName\":\"ct.user\"}")
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .contentType(startsWith("application/scim+json"));
    }

    @Test
    void rfc7644_3_1_clientAcceptingOnlyApplicationJsonStillGetsAnAnswer() {
        // RFC 7644 section 3.1 / 8.1: servers SHOULD honour Accept: application/json as well
        String t = Conf.tenant("ct");
        String id = Scim.createUser(t, "accept.json");
        given().auth()
                .oauth2(Tokens.idp(t))
                .accept("application/json")
                .get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("id", equalTo(id));
    }

    @Test
    void rfc7644_3_1_applicationJsonAcceptedOnPutPatchAndGroups() {
        // UsersApiTest covers POST /Users with application/json; PUT, PATCH, .search and /Groups here
        String t = Conf.tenant("ct");
        String id = Scim.createUser(t, "json.put");
        Scim.as(Tokens.idp(t))
                .contentType("application/json")
                .body("{\"userName\":\"json.put\",\"title\":\"T\"}")
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("title", equalTo("T"));
        Scim.as(Tokens.idp(t))
                .contentType("application/json")
                .body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"U\"}]"))
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("title", equalTo("U"));
        Scim.as(Tokens.idp(t))
                .contentType("application/json")
                .body("{\"displayName\":\"json group\"}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .contentType(startsWith("application/scim+json"));
        Scim.as(Tokens.idp(t))
                .contentType("application/json")
                .body("{\"filter\":\"userName eq \\\"json.put\\\"\"}")
                .post("/scim/v2/Users/.search")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(1));
        // media type parameters do not matter
        Scim.as(Tokens.idp(t))
                .contentType("application/scim+json; charset=utf-8")
                .body("{\"displayName\":\"cs\"}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201);
    }

    @Test
    void rfc7644_3_12_unsupportedMediaTypeOnPatchPutAndGroupsIs415ScimErrorAndWritesNothing() {
        String t = Conf.tenant("ct");
        String id = Scim.createUser(t, "media");
        long before = Db.eventCount(t);
        Scim.as(Tokens.idp(t))
                .contentType("application/xml")
                .body("<x/>")
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(415)
                .contentType(startsWith("application/scim+json"))
                .body("schemas", hasItem(Conf.ERROR))
                .body("status", equalTo("415"));
        Scim.as(Tokens.idp(t))
                .contentType("text/plain")
                .body(Conf.patchBody("[]"))
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(415)
                .body("status", equalTo("415"));
        Scim.as(Tokens.idp(t))
                .contentType("application/x-www-form-urlencoded")
                .formParam("displayName", "x")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(415)
                .body("status", equalTo("415"));
        assertEquals(before, Db.eventCount(t));
    }

    @Test
    void rfc7644_3_12_errorBodyShapeForEveryStatus() {
        String t = Conf.tenant("err");
        // 401 on a write without a token
        given().contentType("application/scim+json")
                .body("{\"userName\":\"x\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(401)
                .contentType(startsWith("application/scim+json"))
                .body("schemas", hasItem(Conf.ERROR))
                .body("status", equalTo("401"))
                .body("detail", notNullValue());
        // 404 on a group
        idp(t).get("/scim/v2/Groups/" + UUID.randomUUID())
                .then()
                .statusCode(404)
                .contentType(startsWith("application/scim+json"))
                .body("schemas", hasItem(Conf.ERROR))
                .body("status", equalTo("404"))
                .body("status", instanceOf(String.class))
                .body("detail", notNullValue());
        // 405: DELETE on the collection, PUT on the collection
        idp(t).delete("/scim/v2/Users")
                .then()
                .statusCode(405)
                .body("schemas", hasItem(Conf.ERROR))
                .body("status", equalTo("405"));
        idp(t).body("{}").put("/scim/v2/Groups").then().statusCode(405).body("status", equalTo("405"));
        // 400 carries a scimType
        idp(t).body("[1,2]")
                .post("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("schemas", hasItem(Conf.ERROR))
                .body("status", equalTo("400"))
                .body("scimType", equalTo("invalidSyntax"))
                .body("detail", not(containsString("at io.")));
        // 409 carries uniqueness and a detail
        Scim.createUser(t, "dup");
        idp(t).body("{\"userName\":\"Dup\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(409)
                .contentType(startsWith("application/scim+json"))
                .body("detail", notNullValue());
    }
}
