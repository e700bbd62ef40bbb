package io.scimledger.it;

import static io.scimledger.it.Scim.idp;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The /Users endpoint against real PostgreSQL and Kafka: create, read, PUT, PATCH, DELETE, filters, paging, ETags,
 * media types and SCIM errors; what each write records in the log (personal data sealed, no password); and that a
 * rejected write appends nothing.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class UsersApiTest {

    static String tenant() {
        return "users-" + UUID.randomUUID();
    }

    @Test
    void createReturns201WithLocationMetaAndEtag() {
        String t = tenant();
        var r = idp(t).body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice","externalId":"ext-1",
                 "password":"S3cret!","name":{"givenName":"Alice","familyName":"Liddell"},
                 "emails":[{"value":"alice@example.com","type":"work","primary":true}]}""")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .contentType(startsWith("application/scim+json"))
                .header("Location", containsString("/scim/v2/Users/"))
                .header("ETag", equalTo("W/\"1\""))
                .body("userName", equalTo("alice"))
                .body("password", nullValue())
                .body("meta.resourceType", equalTo("User"))
                .body("meta.version", equalTo("W/\"1\""))
                .body("meta.created", notNullValue())
                .body("meta.lastModified", notNullValue())
                .extract();
        String id = r.path("id");
        assertEquals(r.header("Location"), r.path("meta.location"));
        idp(t).get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("name.familyName", equalTo("Liddell"))
                .body("emails[0].value", equalTo("alice@example.com"))
                .body("externalId", equalTo("ext-1"));
    }

    @Test
    void theEventRecordsTheEffectWithPersonalDataEncryptedAndNoPassword() {
        String t = tenant();
        String id = idp(t).body("""
                {"userName":"bob@example.com","password":"hunter2","title":"Engineer",
                 "name":{"familyName":"Builder"},"emails":[{"value":"bob@example.com"}]}""")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        var rows = Db.rows(
                "SELECT payload::text AS p, event_type, stream_version, tenant_id, actor_subject, "
                        + "actor_client_id, request_id, client_address FROM event WHERE stream_id = ?::uuid",
                id);
        assertEquals(1, rows.size());
        String payload = (String) rows.get(0).get("p");
        assertEquals("UserCreated", rows.get(0).get("event_type"));
        assertEquals(t, rows.get(0).get("tenant_id"));
        assertEquals("idp-" + t, rows.get(0).get("actor_subject"));
        assertEquals("idp-" + t + "-client", rows.get(0).get("actor_client_id"));
        assertTrue(rows.get(0).get("request_id") != null && rows.get(0).get("client_address") != null);
        assertFalse(payload.contains("hunter2"), "password must never reach the log");
        assertFalse(payload.contains("bob@example.com"), "personal data must be sealed: " + payload);
        assertFalse(payload.contains("Builder"), "personal data must be sealed: " + payload);
        assertTrue(payload.contains("Engineer"), "non-personal attributes stay readable: " + payload);
        assertTrue(payload.contains("\"passwordSupplied\": true"), payload);
        assertEquals(
                1,
                Db.count("SELECT count(*) FROM data_key WHERE subject_id = ?::uuid AND wrapped_key IS NOT NULL", id));
    }

    @Test
    void patchRecordsOperationsAsSentAndTheResultingState() {
        String t = tenant();
        String id = Scim.createUser(t, "carol");
        Scim.patch(t, "/scim/v2/Users/" + id, """
                [{"op":"Replace","path":"active","value":"False"},{"op":"replace","path":"title","value":"CTO"}]""")
                .statusCode(200)
                .body("active", equalTo(false))
                .body("title", equalTo("CTO"))
                .body("meta.version", equalTo("W/\"2\""));
        var row = Db.rows("SELECT payload::text AS p FROM event WHERE stream_id = ?::uuid AND stream_version = 2", id)
                .get(0);
        String payload = (String) row.get("p");
        assertTrue(payload.contains("\"operations\""), payload);
        assertTrue(payload.contains("\"Replace\""), "operations are kept as sent: " + payload);
        assertTrue(
                payload.contains("\"changed\": [\"title\", \"active\"]"),
                "changed attributes, schema order: " + payload);
        assertTrue(payload.contains("\"state\""), payload);
    }

    @Test
    void putReplacesForRealAndIgnoresReadOnlyAttributes() {
        String t = tenant();
        String id = Scim.createUser(t, "dave");
        idp(t).body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"%s","userName":"dave",
                 "meta":{"version":"bogus"},"groups":[],"displayName":"Dave"}""".formatted(id))
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("displayName", equalTo("Dave"))
                .body("emails", nullValue())
                .body("name", nullValue())
                .body("id", equalTo(id));
    }

    @Test
    void userNameIsUniquePerTenantCaseInsensitivelyWith409() {
        String t = tenant();
        Scim.createUser(t, "Erin");
        long before = Db.eventCount(t);
        idp(t).body("{\"userName\":\"ERIN\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(409)
                .body("scimType", equalTo("uniqueness"))
                .body("status", equalTo("409"))
                .body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:Error"));
        assertEquals(before, Db.eventCount(t), "a rejected write appends nothing");
    }

    @Test
    void renamingOntoATakenUserNameIs409AndChangesNothing() {
        String t = tenant();
        Scim.createUser(t, "frank");
        String id = Scim.createUser(t, "grace");
        long before = Db.eventCount(t);
        Scim.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"FRANK\"}]")
                .statusCode(409)
                .body("scimType", equalTo("uniqueness"));
        assertEquals(before, Db.eventCount(t));
        idp(t).get("/scim/v2/Users/" + id)
                .then()
                .body("userName", equalTo("grace"))
                .body("meta.version", equalTo("W/\"1\""));
    }

    @Test
    void invalidPatchIs400AndAppendsNothing() {
        String t = tenant();
        String id = Scim.createUser(t, "heidi");
        long before = Db.eventCount(t);
        // the first operation is valid, the second is not: all or nothing
        Scim.patch(t, "/scim/v2/Users/" + id, """
                [{"op":"replace","path":"title","value":"x"},{"op":"replace","path":"noSuchAttribute","value":1}]""")
                .statusCode(400)
                .body("scimType", equalTo("invalidPath"))
                .body("detail", notNullValue());
        Scim.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"frobnicate\",\"path\":\"title\",\"value\":\"x\"}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidSyntax"));
        assertEquals(before, Db.eventCount(t));
        idp(t).get("/scim/v2/Users/" + id).then().body("title", nullValue());
    }

    @Test
    void malformedJsonAndMissingUserNameAreScimErrors() {
        String t = tenant();
        idp(t).body("{not json")
                .post("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidSyntax"))
                .body("detail", not(containsString("Exception")));
        idp(t).body("{\"displayName\":\"no user name\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
    }

    @Test
    void unknownIdIs404ScimError() {
        String t = tenant();
        idp(t).get("/scim/v2/Users/" + UUID.randomUUID())
                .then()
                .statusCode(404)
                .contentType(startsWith("application/scim+json"))
                .body("status", equalTo("404"))
                .body("detail", notNullValue());
        idp(t).get("/scim/v2/Users/not-a-uuid").then().statusCode(404);
        Scim.patch(
                        t,
                        "/scim/v2/Users/" + UUID.randomUUID(),
                        "[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]")
                .statusCode(404);
        idp(t).delete("/scim/v2/Users/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void deleteMakesTheUserGoneAndFreesTheUserName() {
        String t = tenant();
        String id = Scim.createUser(t, "ivan");
        idp(t).delete("/scim/v2/Users/" + id).then().statusCode(204);
        idp(t).get("/scim/v2/Users/" + id).then().statusCode(404);
        assertEquals(
                1, Db.count("SELECT count(*) FROM event WHERE stream_id = ?::uuid AND event_type = 'UserDeleted'", id));
        Scim.createUser(t, "IVAN");
    }

    @Test
    void aRenameMovesTheUserNameClaimAndOtherChangesKeepIt() {
        String t = tenant();
        String kim = Scim.createUser(t, "kim");
        String lee = Scim.createUser(t, "lee");
        // an update that keeps the name keeps the claim: nobody else can take "kim"
        Scim.patch(t, "/scim/v2/Users/" + kim, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Boss\"}]")
                .statusCode(200);
        idp(t).contentType("application/scim+json")
                .body("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"KIM\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(409)
                .body("scimType", equalTo("uniqueness"));
        // a case-only rename keeps the claim too
        Scim.patch(t, "/scim/v2/Users/" + kim, "[{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"Kim\"}]")
                .statusCode(200);
        // renaming onto another user's name is refused, and changes nothing
        Scim.patch(t, "/scim/v2/Users/" + kim, "[{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"LEE\"}]")
                .statusCode(409);
        idp(t).get("/scim/v2/Users/" + kim).then().statusCode(200).body("userName", equalTo("Kim"));
        // a real rename frees the old name and takes the new one
        Scim.patch(t, "/scim/v2/Users/" + kim, "[{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"kimberly\"}]")
                .statusCode(200);
        Scim.createUser(t, "kim");
        idp(t).contentType("application/scim+json")
                .body("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"Kimberly\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(409);
        assertEquals(
                1,
                Db.count(
                        "SELECT count(*) FROM user_name_claim WHERE user_id = ?::uuid AND user_name_lower = 'kimberly'",
                        kim));
        assertEquals(1, Db.count("SELECT count(*) FROM user_name_claim WHERE user_id = ?::uuid", lee));
    }

    @Test
    void filterEqOnUserNameIsCaseInsensitiveAndAlwaysAListResponse() {
        String t = tenant();
        String id = Scim.createUser(t, "Judy.Smith");
        Scim.createUser(t, "judy.other");
        idp(t).queryParam("filter", "userName eq \"JUDY.SMITH\"")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("schemas", contains("urn:ietf:params:scim:api:messages:2.0:ListResponse"))
                .body("totalResults", equalTo(1))
                .body("Resources[0].id", equalTo(id));
        idp(t).queryParam("filter", "userName eq \"nobody\"")
                .queryParam("startIndex", 1)
                .queryParam("count", 100)
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(0))
                .body("Resources.size()", equalTo(0));
        idp(t).queryParam("filter", "userName eq")
                .get("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidFilter"));
    }

    @Test
    void filterOnExternalIdAndInactiveUsersStayVisible() {
        String t = tenant();
        String id = idp(t).body("{\"userName\":\"kate\",\"externalId\":\"E-42\",\"active\":\"False\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("active", equalTo(false))
                .extract()
                .path("id");
        idp(t).queryParam("filter", "externalId eq \"E-42\"")
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(1))
                .body("Resources[0].id", equalTo(id));
        idp(t).queryParam("filter", "externalId eq \"e-42\"")
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(0)); // externalId is caseExact
    }

    @Test
    void pagingWithStartIndexAndCountIsStable() {
        String t = tenant();
        for (int i = 0; i < 5; i++) {
            Scim.createUser(t, "page" + i);
        }
        var first = idp(t).queryParam("startIndex", 1)
                .queryParam("count", 2)
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(5))
                .body("itemsPerPage", equalTo(2))
                .body("startIndex", equalTo(1))
                .extract()
                .jsonPath()
                .getList("Resources.id");
        var third = idp(t).queryParam("startIndex", 5)
                .queryParam("count", 2)
                .get("/scim/v2/Users")
                .then()
                .body("itemsPerPage", equalTo(1))
                .extract()
                .jsonPath()
                .getList("Resources.id");
        assertFalse(first.contains(third.get(0)));
        idp(t).queryParam("count", 0)
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(5))
                .body("Resources.size()", equalTo(0));
    }

    @Test
    void ifMatchWithAStaleVersionIs412AndIfNoneMatchIs304() {
        String t = tenant();
        String id = Scim.createUser(t, "leo");
        idp(t).header("If-Match", "W/\"1\"")
                .body("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"a"}]}""")
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .header("ETag", "W/\"2\"");
        long before = Db.eventCount(t);
        idp(t).header("If-Match", "W/\"1\"")
                .body("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"b"}]}""")
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(412)
                .body("status", equalTo("412"));
        assertEquals(before, Db.eventCount(t));
        idp(t).header("If-None-Match", "W/\"2\"")
                .get("/scim/v2/Users/" + id)
                .then()
                .statusCode(304);
    }

    @Test
    void plainApplicationJsonIsAcceptedAndOtherMediaTypesAre415() {
        String t = tenant();
        Scim.as(Tokens.idp(t))
                .contentType("application/json")
                .body("{\"userName\":\"mallory\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .contentType(startsWith("application/scim+json"));
        Scim.as(Tokens.idp(t))
                .contentType("text/plain")
                .body("userName=x")
                .post("/scim/v2/Users")
                .then()
                .statusCode(415)
                .body("status", equalTo("415"));
    }

    @Test
    void attributesAndExcludedAttributesShapeTheResponse() {
        String t = tenant();
        String id = Scim.createUser(t, "nina");
        idp(t).queryParam("attributes", "userName")
                .get("/scim/v2/Users/" + id)
                .then()
                .body("userName", equalTo("nina"))
                .body("id", equalTo(id))
                .body("emails", nullValue());
        idp(t).queryParam("excludedAttributes", "emails,name")
                .get("/scim/v2/Users/" + id)
                .then()
                .body("userName", equalTo("nina"))
                .body("emails", nullValue())
                .body("name", nullValue());
    }

    @Test
    void unknownEndpointAndMethodAreScimErrors() {
        String t = tenant();
        idp(t).get("/scim/v2/Nope").then().statusCode(404).body("status", equalTo("404"));
        idp(t).body("{}")
                .post("/scim/v2/ServiceProviderConfig")
                .then()
                .statusCode(405)
                .body("status", equalTo("405"));
    }

    @Test
    void oversizedBodyIs413ScimError() {
        String t = tenant();
        String huge = "{\"userName\":\"big\",\"title\":\"" + "x".repeat(2_200_000) + "\"}";
        long before = Db.eventCount(t);
        idp(t).body(huge)
                .post("/scim/v2/Users")
                .then()
                .statusCode(413)
                .contentType(startsWith("application/scim+json"))
                .body("status", equalTo("413"));
        assertEquals(before, Db.eventCount(t));
    }
}
