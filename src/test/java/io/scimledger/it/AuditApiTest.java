package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The auditor's history, as-of and verify endpoints, answered from the log and limited to the caller's tenant. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class AuditApiTest {

    private static RequestSpecification auditor(String tenant) {
        return given().auth()
                .oauth2(Tokens.token(tenant, "auditor-" + tenant, Scopes.AUDIT_READ))
                .accept("application/json");
    }

    private static String tenant(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    @Test
    void historyShowsWhoWhenAndWhatWithBeforeAndAfterForAPatch() {
        String t = tenant("audit-hist");
        String id = Scim.createUser(t, "ada");
        Scim.idp(t)
                .header("X-Request-Id", "req-patch-1")
                .body("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                 {"op":"replace","path":"title","value":"Engineer"},
                 {"op":"replace","path":"active","value":false},
                 {"op":"replace","path":"name.givenName","value":"Ada"}]}""")
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(200);

        JsonPath h = auditor(t)
                .get("/audit/Users/" + id + "/history")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/json"))
                .body("events", hasSize(2))
                .body("next", nullValue())
                .extract()
                .jsonPath();
        assertEquals("UserCreated", h.getString("events[0].type"));
        assertEquals(1, h.getInt("events[0].version"));
        assertEquals("POST", h.getString("events[0].request.method"));
        // creation: every attribute from nothing, personal values opened
        assertEquals("ada", afterOf(h, 0, "userName"));
        assertEquals("Given ada", afterOf(h, 0, "name.givenName"));

        assertEquals("UserPatched", h.getString("events[1].type"));
        assertEquals(2, h.getInt("events[1].version"));
        assertEquals("idp-" + t, h.getString("events[1].actor.subject"));
        assertEquals("idp-" + t + "-client", h.getString("events[1].actor.clientId"));
        assertEquals("req-patch-1", h.getString("events[1].requestId"));
        assertNotNull(h.getString("events[1].occurredAt"));
        assertNotNull(h.getString("events[1].txn"));
        assertNotNull(h.getString("events[1].eventId"));
        assertNotNull(h.getString("events[1].clientAddress"));
        List<Map<String, Object>> changes = h.getList("events[1].changes");
        assertEquals(3, changes.size(), changes.toString());
        assertChange(changes, "active", true, false);
        assertChange(changes, "name.givenName", "Given ada", "Ada");
        assertChange(changes, "title", null, "Engineer");
        // the operations as sent, with the personal value opened
        assertEquals("Ada", h.getString("events[1].request.operations[2].value"));

        // paging by position
        JsonPath p1 = auditor(t)
                .queryParam("limit", 1)
                .get("/audit/Users/" + id + "/history")
                .then()
                .statusCode(200)
                .body("events", hasSize(1))
                .body("next", notNullValue())
                .extract()
                .jsonPath();
        auditor(t)
                .get(p1.getString("next"))
                .then()
                .statusCode(200)
                .body("events", hasSize(1))
                .body("events[0].version", equalTo(2))
                .body("events[0].changes.find { it.attribute == 'title' }.after", equalTo("Engineer"))
                .body("next", nullValue());
        auditor(t)
                .queryParam("limit", 1001)
                .get("/audit/Users/" + id + "/history")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
    }

    @Test
    void historyOfAGroupShowsMembershipAddedAndRemoved() {
        String t = tenant("audit-grp");
        String u = Scim.createUser(t, "member");
        String g = Scim.createGroup(t, "Pilots");
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                .statusCode(200);
        Scim.patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u + "\\\"]\"}]")
                .statusCode(200);

        JsonPath h = auditor(t)
                .get("/audit/Groups/" + g + "/history")
                .then()
                .statusCode(200)
                .body("events", hasSize(3))
                .extract()
                .jsonPath();
        assertEquals("GroupCreated", h.getString("events[0].type"));
        assertEquals("Pilots", afterOf(h, 0, "displayName"));
        assertEquals("GroupMembersAdded", h.getString("events[1].type"));
        assertEquals("members", h.getString("events[1].changes[0].attribute"));
        assertEquals(u, h.getString("events[1].changes[0].added[0].value"));
        assertEquals("User", h.getString("events[1].changes[0].added[0].type"));
        assertEquals("PATCH", h.getString("events[1].request.method"));
        assertEquals("GroupMembersRemoved", h.getString("events[2].type"));
        assertEquals(u, h.getString("events[2].changes[0].removed[0].value"));

        // as-of the add: the member is there; as-of the removal: gone
        auditor(t)
                .queryParam("time", h.getString("events[1].occurredAt"))
                .get("/audit/Groups/" + g + "/as-of")
                .then()
                .statusCode(200)
                .body("resource.members", hasSize(1))
                .body("resource.members[0].value", equalTo(u))
                .body("version", equalTo(2));
        auditor(t)
                .queryParam("time", h.getString("events[2].occurredAt"))
                .get("/audit/Groups/" + g + "/as-of")
                .then()
                .statusCode(200)
                .body("resource.members", hasSize(0))
                .body("resource.displayName", equalTo("Pilots"));
    }

    @Test
    void asOfReconstructsTheStateAtThreeMoments() {
        String t = tenant("audit-asof");
        String id = Scim.createUser(t, "grace");
        Scim.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Admiral\"}]")
                .statusCode(200);
        JsonPath h = auditor(t)
                .get("/audit/Users/" + id + "/history")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        Instant created = Instant.parse(h.getString("events[0].occurredAt"));
        Instant patched = Instant.parse(h.getString("events[1].occurredAt"));
        assertTrue(patched.isAfter(created));
        String path = "/audit/Users/" + id + "/as-of";

        auditor(t)
                .queryParam("time", created.minusNanos(1000).toString())
                .get(path)
                .then()
                .statusCode(404)
                .body("status", equalTo("404"));
        // an event at exactly T is included
        auditor(t)
                .queryParam("time", created.toString())
                .get(path)
                .then()
                .statusCode(200)
                .body("version", equalTo(1))
                .body("resource.id", equalTo(id))
                .body("resource.userName", equalTo("grace"))
                .body("resource.title", nullValue())
                .body("resource.emails[0].value", equalTo("grace@example.com"));
        auditor(t)
                .queryParam("time", patched.minusNanos(1000).toString())
                .get(path)
                .then()
                .statusCode(200)
                .body("version", equalTo(1))
                .body("resource.title", nullValue());
        auditor(t)
                .queryParam("time", patched.toString())
                .get(path)
                .then()
                .statusCode(200)
                .body("version", equalTo(2))
                .body("resource.title", equalTo("Admiral"))
                .body("resource.meta.version", equalTo("W/\"2\""));

        // after a delete it no longer exists; before the delete it still does
        Scim.idp(t).delete("/scim/v2/Users/" + id).then().statusCode(204);
        auditor(t)
                .queryParam("time", Instant.now().plusSeconds(60).toString())
                .get(path)
                .then()
                .statusCode(404);
        auditor(t).queryParam("time", patched.toString()).get(path).then().statusCode(200);
        auditor(t).queryParam("time", "yesterday").get(path).then().statusCode(400);
    }

    @Test
    void onlyTheAuditScopeOfTheSameTenantGetsIn() {
        String t = tenant("audit-scope");
        String id = Scim.createUser(t, "scoped");
        // SCIM scopes do not grant the audit API
        Scim.idp(t)
                .get("/audit/Users/" + id + "/history")
                .then()
                .statusCode(403)
                .body("schemas[0]", equalTo("urn:ietf:params:scim:api:messages:2.0:Error"));
        Scim.idp(t).get("/audit/verify").then().statusCode(403);
        given().get("/audit/verify").then().statusCode(401);
        // and the audit scope does not grant SCIM
        auditor(t).get("/scim/v2/Users/" + id).then().statusCode(403);
        auditor(t).get("/audit/Users/" + id + "/history").then().statusCode(200);
        auditor(t).get("/audit/verify").then().statusCode(200).body("intact", equalTo(true));
        // another tenant's auditor sees nothing of it
        String other = tenant("audit-other");
        auditor(other).get("/audit/Users/" + id + "/history").then().statusCode(404);
        auditor(other)
                .queryParam("time", Instant.now().toString())
                .get("/audit/Users/" + id + "/as-of")
                .then()
                .statusCode(404);
        // a user is not a group
        auditor(t).get("/audit/Groups/" + id + "/history").then().statusCode(404);
        auditor(other)
                .get("/audit/verify")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true))
                .body("eventsChecked", equalTo(1))
                .body("streams", equalTo(1)); // only its own registration
    }

    @Test
    void verifyNamesTheEventThatWasTamperedWith() throws Exception {
        String t = tenant("audit-tamper");
        String id = Scim.createUser(t, "victim");
        String g = Scim.createGroup(t, "Untouched");
        for (int i = 0; i < 2; i++) {
            Scim.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"t" + i + "\"}]")
                    .statusCode(200);
        }
        auditor(t)
                .get("/audit/verify")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/json"))
                .body("intact", equalTo(true))
                .body("eventsChecked", equalTo(5))
                .body("streams", equalTo(3)) // + registration
                .body("firstBrokenLink", nullValue());

        UUID target = (UUID) Db.rows("SELECT event_id FROM event WHERE stream_id = ?::uuid AND stream_version = 2", id)
                .get(0)
                .get("event_id");
        Db.tamperActor(target, "mallory");
        assertEquals(
                "mallory",
                Db.rows("SELECT actor_subject FROM event WHERE event_id = ?", target)
                        .get(0)
                        .get("actor_subject"));

        auditor(t)
                .get("/audit/verify")
                .then()
                .statusCode(200)
                .body("intact", equalTo(false))
                .body("firstBrokenLink.streamId", equalTo(id))
                .body("firstBrokenLink.version", equalTo(2))
                .body("firstBrokenLink.eventId", equalTo(target.toString()))
                .body("firstBrokenLink.position", notNullValue())
                .body("firstBrokenLink.reason", containsString("altered"));
        // the triggers are back
        try (Connection owner = Db.owner();
                Statement st = owner.createStatement()) {
            owner.setAutoCommit(true);
            assertTrue(org.junit.jupiter.api.Assertions.assertThrows(
                            java.sql.SQLException.class,
                            () -> st.executeUpdate(
                                    "UPDATE event SET actor_subject = 'x' WHERE event_id = '" + target + "'"))
                    .getMessage()
                    .contains("append-only"));
        }
    }

    private static Object afterOf(JsonPath h, int event, String attribute) {
        List<Map<String, Object>> changes = h.getList("events[" + event + "].changes");
        return changes.stream()
                .filter(c -> attribute.equals(c.get("attribute")))
                .findFirst()
                .map(c -> c.get("after"))
                .orElse(null);
    }

    private static void assertChange(List<Map<String, Object>> changes, String attribute, Object before, Object after) {
        Map<String, Object> c = changes.stream()
                .filter(x -> attribute.equals(x.get("attribute")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no change of " + attribute + " in " + changes));
        if (before == null) {
            assertNull(c.get("before"), attribute);
        } else {
            assertEquals(before, c.get("before"), attribute);
        }
        assertEquals(after, c.get("after"), attribute);
    }
}
