package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Erasure: destroying one key erases a person everywhere, on every instance, while the log and its proofs stay
 * intact.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class ErasureTest {

    @Test
    void erasureMakesPersonalDataUnreadableEverywhereAndKeepsTheLogVerifiable() {
        String t = "erase-" + UUID.randomUUID();
        String id = Scim.idp(t)
                .body("""
                {"userName":"grace.hopper@example.com","title":"Rear Admiral","name":{"familyName":"Hopper"},
                 "emails":[{"value":"grace.hopper@example.com","type":"work"}]}""")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String g = Scim.createGroup(t, "Navy");
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + id + "\"}]}]")
                .statusCode(200);
        Scim.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"Grace\"}]")
                .statusCode(200);
        long eventsBefore = Db.count("SELECT count(*) FROM event WHERE tenant_id = ?", t);

        // only an operator may erase
        Scim.idp(t)
                .post("/admin/tenants/" + t + "/Users/" + id + "/erasure")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{\"reference\":\"GDPR-1234\"}")
                .post("/admin/tenants/" + t + "/Users/" + id + "/erasure")
                .then()
                .statusCode(200)
                .body("erasedNow", equalTo(true))
                .body("eventsAppended", equalTo(2));

        // API: gone, and no longer a member
        Scim.idp(t).get("/scim/v2/Users/" + id).then().statusCode(404);
        Scim.idp(t).get("/scim/v2/Groups/" + g).then().statusCode(200).body("members", equalTo(java.util.List.of()));
        // the log: nothing removed, one erasure event (free of personal data) plus the membership removal
        assertEquals(eventsBefore + 2, Db.count("SELECT count(*) FROM event WHERE tenant_id = ?", t));
        String erasure = (String) Db.rows(
                        "SELECT payload::text AS p FROM event WHERE stream_id = ?::uuid "
                                + "AND event_type = 'UserErased'",
                        id)
                .get(0)
                .get("p");
        assertTrue(erasure.contains("GDPR-1234") && !erasure.contains("hopper"), erasure);
        // the key is destroyed
        var key = Db.rows("SELECT wrapped_key, destroyed_at FROM data_key WHERE subject_id = ?::uuid", id)
                .get(0);
        assertNull(key.get("wrapped_key"));
        assertNotNull(key.get("destroyed_at"));
        // audit answers: who did what when is still there, the personal values are not
        String auditor = Tokens.token(t, "auditor", Scopes.AUDIT_READ);
        String history = Scim.as(auditor)
                .accept("application/json")
                .get("/audit/Users/" + id + "/history")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertFalse(history.toLowerCase().contains("hopper"), history);
        assertTrue(history.contains("Rear Admiral") && history.contains("UserErased"), history);
        // proofs: every chain still verifies, because hashes cover the ciphertext
        Scim.as(auditor)
                .accept("application/json")
                .get("/audit/verify")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true));
        // a rebuild from the log reproduces the erased state
        given().auth()
                .oauth2(Tokens.admin())
                .post("/admin/projections/rebuild")
                .then()
                .statusCode(200);
        Scim.idp(t).get("/scim/v2/Users/" + id).then().statusCode(404);
        // erasing again changes nothing
        given().auth()
                .oauth2(Tokens.admin())
                .post("/admin/tenants/" + t + "/Users/" + id + "/erasure")
                .then()
                .statusCode(200)
                .body("erasedNow", equalTo(false));
        assertEquals(eventsBefore + 2, Db.count("SELECT count(*) FROM event WHERE tenant_id = ?", t));
        // the compacted state topic ends with a tombstone for the person: once the erasure's record has arrived,
        // it is the user's latest, and it has no value
        Topics.Published last = Topics.awaitLatestState(
                        t,
                        m -> m.containsKey(id) && "UserErased".equals(m.get(id).ledgerEvent()),
                        Duration.ofSeconds(60))
                .get(id);
        assertNull(last.body(), "state topic tombstone at " + last.where());
    }

    /**
     * With several instances, the erasure runs on one of them. No instance may keep decrypting with a key it used
     * before: keys are read from the database for each piece of work, never cached across requests.
     */
    @Test
    void aKeyDestroyedByAnotherInstanceIsNoLongerUsedHere() throws Exception {
        String t = "erase-elsewhere-" + UUID.randomUUID();
        String id = Scim.createUser(t, "elsewhere.person");
        String auditor = Tokens.token(t, "auditor", Scopes.AUDIT_READ);
        // this instance has just used the key (to write, then to answer the auditor)
        String before = Scim.as(auditor)
                .accept("application/json")
                .get("/audit/Users/" + id + "/history")
                .then()
                .statusCode(200)
                .body("events[0].personalDataReadable", equalTo(true))
                .extract()
                .asString();
        assertTrue(before.contains("elsewhere.person"), before);
        // another instance's erasure destroys the stored key in its own transaction; done here the same way
        try (Connection c = Db.owner();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE data_key SET wrapped_key = NULL, destroyed_at = now() WHERE subject_id = ?::uuid")) {
            ps.setString(1, id);
            assertEquals(1, ps.executeUpdate());
        }
        String after = Scim.as(auditor)
                .accept("application/json")
                .get("/audit/Users/" + id + "/history")
                .then()
                .statusCode(200)
                .body("events[0].personalDataReadable", equalTo(false))
                .extract()
                .asString();
        assertFalse(after.contains("elsewhere.person"), after);
    }

    @Test
    void aDeletedUserCanStillBeErasedAndUnknownUsersAre404() {
        String t = "erase-deleted-" + UUID.randomUUID();
        String id = Scim.createUser(t, "deleted.person");
        Scim.idp(t).delete("/scim/v2/Users/" + id).then().statusCode(204);
        given().auth()
                .oauth2(Tokens.admin())
                .post("/admin/tenants/" + t + "/Users/" + id + "/erasure")
                .then()
                .statusCode(200)
                .body("erasedNow", equalTo(true))
                .body("eventsAppended", equalTo(1));
        given().auth()
                .oauth2(Tokens.admin())
                .post("/admin/tenants/" + t + "/Users/" + UUID.randomUUID() + "/erasure")
                .then()
                .statusCode(404);
        // another tenant's id is unknown here
        given().auth()
                .oauth2(Tokens.admin())
                .post("/admin/tenants/other-" + t + "/Users/" + id + "/erasure")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{\"reference\":\"Grace Hopper\"}")
                .post("/admin/tenants/" + t + "/Users/" + id + "/erasure")
                .then()
                .statusCode(400);
    }
}
