package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The auditor's reports: membership intervals, deprovisionings, changes by actor, NDJSON/CSV exports; all need the
 * audit scope.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class AuditReportsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static RequestSpecification auditor(String tenant) {
        return given().auth()
                .oauth2(Tokens.token(tenant, "auditor-" + tenant, Scopes.AUDIT_READ))
                .accept("application/json");
    }

    private static String tenant(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    private static void addMember(String t, String group, String member) {
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + group,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + member + "\"}]}]")
                .statusCode(200);
    }

    private static void removeMember(String t, String group, String member) {
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + group,
                        "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + member + "\\\"]\"}]")
                .statusCode(200);
    }

    /** The user's meta.created: the time the log recorded for its UserCreated event. */
    private static Instant createdAt(String t, String user) {
        return Instant.parse(Scim.idp(t)
                .get("/scim/v2/Users/" + user)
                .then()
                .statusCode(200)
                .extract()
                .path("meta.created"));
    }

    private static List<Map<String, Object>> intervals(JsonPath j, String group, String type) {
        List<Map<String, Object>> all = j.getList("memberships");
        return all.stream()
                .filter(m -> group.equals(m.get("groupId")) && type.equals(m.get("type")))
                .collect(Collectors.toList());
    }

    @Test
    void membershipIntervalsDirectReAddedAndNested() {
        String t = tenant("audit-memb");
        String u = Scim.createUser(t, "ada");
        String pilots = Scim.createGroup(t, "Pilots");
        String staff = Scim.createGroup(t, "Staff");
        addMember(t, pilots, u);
        removeMember(t, pilots, u);
        addMember(t, pilots, u);
        addMember(t, staff, pilots); // Pilots is nested in Staff: Ada is in Staff indirectly

        JsonPath j = auditor(t)
                .get("/audit/Users/" + u + "/memberships")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/json"))
                .extract()
                .jsonPath();
        List<Map<String, Object>> direct = intervals(j, pilots, "direct");
        assertEquals(2, direct.size(), direct.toString());
        direct.sort((a, b) -> ((String) a.get("from")).compareTo((String) b.get("from")));
        assertEquals("Pilots", direct.get(0).get("groupDisplayName"));
        assertNotNull(direct.get(0).get("to"));
        assertTrue(Instant.parse((String) direct.get(0).get("to"))
                .isAfter(Instant.parse((String) direct.get(0).get("from"))));
        assertNull(direct.get(1).get("to"));
        assertTrue(Instant.parse((String) direct.get(1).get("from"))
                .isAfter(Instant.parse((String) direct.get(0).get("to"))));

        List<Map<String, Object>> indirect = intervals(j, staff, "indirect");
        assertEquals(1, indirect.size(), j.prettify());
        assertEquals("Staff", indirect.get(0).get("groupDisplayName"));
        assertEquals(pilots, indirect.get(0).get("via"));
        assertNull(indirect.get(0).get("to"));
        assertTrue(intervals(j, staff, "direct").isEmpty());
        Instant nestedFrom = Instant.parse((String) indirect.get(0).get("from"));

        // at= shows only the memberships at that moment: before the nesting, Pilots only
        JsonPath before = auditor(t)
                .queryParam("at", nestedFrom.minusNanos(1000).toString())
                .get("/audit/Users/" + u + "/memberships")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(1, before.getList("memberships").size(), before.prettify());
        assertEquals(pilots, before.getString("memberships[0].groupId"));

        // deleting Staff ends the indirect interval; deleting the user ends the direct one
        Scim.idp(t).delete("/scim/v2/Groups/" + staff).then().statusCode(204);
        Scim.idp(t).delete("/scim/v2/Users/" + u).then().statusCode(204);
        JsonPath after = auditor(t)
                .get("/audit/Users/" + u + "/memberships")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertNotNull(intervals(after, staff, "indirect").get(0).get("to"));
        assertTrue(intervals(after, pilots, "direct").stream().allMatch(m -> m.get("to") != null));
        assertEquals(
                0,
                auditor(t)
                        .queryParam("at", Instant.now().plusSeconds(5).toString())
                        .get("/audit/Users/" + u + "/memberships")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("memberships")
                        .size());

        auditor(t)
                .get("/audit/Users/" + UUID.randomUUID() + "/memberships")
                .then()
                .statusCode(404);
        auditor(tenant("audit-other"))
                .get("/audit/Users/" + u + "/memberships")
                .then()
                .statusCode(404);
    }

    @Test
    void deprovisioningsInAPeriod() throws Exception {
        String t = tenant("audit-deprov");
        String early = Scim.createUser(t, "early");
        Scim.patch(t, "/scim/v2/Users/" + early, "[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]")
                .statusCode(200);
        // The period is [from, to) in the log's own times: it starts with the first event after early's deactivation
        // and ends with the first event after the last change inside it (each a later request, so a later
        // microsecond), so no clock has to be waited for.
        String a = Scim.createUser(t, "deactivated");
        Instant from = createdAt(t, a);
        String b = Scim.createUser(t, "deleted");
        String c = Scim.createUser(t, "reactivated");
        Scim.idp(t)
                .header("X-Request-Id", "req-deact")
                .body("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                 {"op":"replace","path":"active","value":false}]}""")
                .patch("/scim/v2/Users/" + a)
                .then()
                .statusCode(200);
        Scim.idp(t).delete("/scim/v2/Users/" + b).then().statusCode(204);
        Scim.patch(t, "/scim/v2/Users/" + c, "[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]")
                .statusCode(200);
        // an activation is not a deprovisioning
        Scim.patch(t, "/scim/v2/Users/" + c, "[{\"op\":\"replace\",\"path\":\"active\",\"value\":true}]")
                .statusCode(200);
        // a change of another attribute of an inactive user is not one either
        Scim.patch(t, "/scim/v2/Users/" + a, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Gone\"}]")
                .statusCode(200);
        String late = Scim.createUser(t, "late");
        Instant to = createdAt(t, late);
        Scim.idp(t).delete("/scim/v2/Users/" + late).then().statusCode(204);

        String body = auditor(t)
                .queryParam("from", from.toString())
                .queryParam("to", to.toString())
                .get("/audit/deprovisionings")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonPath j = JsonPath.from(body);
        List<Map<String, Object>> rows = j.getList("deprovisionings");
        assertEquals(3, rows.size(), j.prettify());
        assertEquals(a, rows.get(0).get("userId"));
        assertEquals("deactivated", rows.get(0).get("type"));
        assertEquals("req-deact", rows.get(0).get("requestId"));
        assertEquals("idp-" + t, rows.get(0).get("actor"));
        assertEquals("idp-" + t + "-client", rows.get(0).get("clientId"));
        // from our receipt of the request to its effect, to the microsecond: exactly the difference between the
        // receipt time recorded with the request and the event's time, both read here from the log itself
        Map<String, Object> logged = Db.rows(
                        "SELECT occurred_at, payload -> 'request' ->> 'receivedAt' AS received "
                                + "FROM event WHERE tenant_id = ? AND event_id = ?::uuid",
                        t,
                        rows.get(0).get("eventId"))
                .get(0);
        Instant occurred = ((java.sql.Timestamp) logged.get("occurred_at")).toInstant();
        Instant received = Instant.parse((String) logged.get("received"));
        assertEquals(logged.get("received"), rows.get(0).get("requestReceivedAt"));
        assertEquals(occurred, Instant.parse((String) rows.get(0).get("occurredAt")));
        assertFalse(received.isAfter(occurred), "the request was received before its effect: " + logged);
        double expectedMs = Duration.between(received, occurred).toNanos() / 1_000 / 1_000.0;
        // (read with Jackson: JsonPath would round the number through a float)
        assertEquals(
                expectedMs,
                MAPPER.readTree(body)
                        .path("deprovisionings")
                        .path(0)
                        .path("latencyMs")
                        .doubleValue(),
                0.0);
        assertEquals(b, rows.get(1).get("userId"));
        assertEquals("deleted", rows.get(1).get("type"));
        assertEquals(c, rows.get(2).get("userId"));
        assertEquals("deactivated", rows.get(2).get("type"));

        // paging by position
        JsonPath p1 = auditor(t)
                .queryParam("from", from.toString())
                .queryParam("to", to.toString())
                .queryParam("limit", 2)
                .get("/audit/deprovisionings")
                .then()
                .statusCode(200)
                .body("deprovisionings", hasSize(2))
                .extract()
                .jsonPath();
        String next = p1.getString("next");
        assertNotNull(next);
        // the link is already URL-encoded
        auditor(t)
                .urlEncodingEnabled(false)
                .get(next)
                .then()
                .statusCode(200)
                .body("deprovisionings", hasSize(1))
                .body("deprovisionings[0].userId", equalTo(c))
                .body("next", nullValue());

        // without a period: all five (early, a, b, c, late)
        auditor(t).get("/audit/deprovisionings").then().statusCode(200).body("deprovisionings", hasSize(5));
        auditor(t)
                .queryParam("from", "last week")
                .get("/audit/deprovisionings")
                .then()
                .statusCode(400);
    }

    @Test
    void changesByClientOrSubjectOnlyShowThatActor() {
        String t = tenant("audit-actor");
        String u = Scim.createUser(t, "shared"); // by the identity provider's token
        String other = Tokens.token(t, "hr-sync", Scopes.SCIM_READ, Scopes.SCIM_WRITE);
        Scim.as(other).body("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                 {"op":"replace","path":"title","value":"Engineer"},{"op":"replace","path":"active","value":false}]}""").patch("/scim/v2/Users/" + u).then().statusCode(200);
        String g = Scim.as(other)
                .body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"HR"}""")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");

        JsonPath bySubject = auditor(t)
                .queryParam("subject", "hr-sync")
                .get("/audit/changes")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        List<Map<String, Object>> events = bySubject.getList("events");
        assertEquals(2, events.size(), bySubject.prettify());
        assertEquals("UserPatched", events.get(0).get("type"));
        assertEquals(u, events.get(0).get("resourceId"));
        assertEquals(List.of("title", "active"), events.get(0).get("changed"));
        assertEquals("GroupCreated", events.get(1).get("type"));
        assertEquals(g, events.get(1).get("resourceId"));
        assertTrue(events.stream().allMatch(e -> "hr-sync".equals(((Map<?, ?>) e.get("actor")).get("subject"))));

        JsonPath byClient = auditor(t)
                .queryParam("clientId", "idp-" + t + "-client")
                .get("/audit/changes")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(1, byClient.getList("events").size(), byClient.prettify());
        assertEquals("UserCreated", byClient.getString("events[0].type"));
        assertTrue(byClient.getList("events[0].changed").contains("userName"));

        // a period before everything: nothing
        auditor(t)
                .queryParam("subject", "hr-sync")
                .queryParam("to", "2000-01-01T00:00:00Z")
                .get("/audit/changes")
                .then()
                .statusCode(200)
                .body("events", hasSize(0));
        // another tenant's auditor sees nothing of it
        auditor(tenant("audit-other"))
                .queryParam("subject", "hr-sync")
                .get("/audit/changes")
                .then()
                .statusCode(200)
                .body("events", hasSize(0));
        auditor(t).get("/audit/changes").then().statusCode(400).body("scimType", equalTo("invalidValue"));
    }

    @Test
    void ndjsonExportHasOneJsonObjectPerLine() throws Exception {
        String t = tenant("audit-ndjson");
        String subject = "bulk-" + t;
        String token = Tokens.token(t, subject, Scopes.SCIM_READ, Scopes.SCIM_WRITE);
        int users = 7;
        for (int i = 0; i < users; i++) {
            Scim.as(token).body("""
                    {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u%d","active":true}""".formatted(i)).post("/scim/v2/Users").then().statusCode(201);
        }
        String body = auditor(t)
                .queryParam("subject", subject)
                .queryParam("format", "ndjson")
                .get("/audit/changes")
                .then()
                .statusCode(200)
                .contentType(startsWith("application/x-ndjson"))
                .extract()
                .asString();
        String[] lines = body.split("\n");
        assertEquals(users, lines.length, body);
        long lastPosition = 0;
        for (String line : lines) {
            JsonNode n = MAPPER.readTree(line);
            assertEquals("UserCreated", n.get("type").asText());
            assertEquals(subject, n.get("actor").get("subject").asText());
            assertTrue(n.get("position").asLong() > lastPosition);
            lastPosition = n.get("position").asLong();
        }
        // the same by Accept header, and the history export carries the opened personal values
        String byAccept = given().auth()
                .oauth2(Tokens.token(t, "auditor", Scopes.AUDIT_READ))
                .accept("application/x-ndjson")
                .queryParam("subject", subject)
                .get("/audit/changes")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertEquals(body, byAccept);
        String id = MAPPER.readTree(lines[0]).get("resourceId").asText();
        String history = auditor(t)
                .queryParam("format", "ndjson")
                .get("/audit/Users/" + id + "/history")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonNode created = MAPPER.readTree(history.split("\n")[0]);
        assertEquals("UserCreated", created.get("type").asText());
        assertTrue(created.get("changes").toString().contains("\"u0\""), created.toString());
    }

    @Test
    void csvExportHasAHeaderAndQuotesValuesWithCommas() {
        String t = tenant("audit-csv");
        String u = Scim.createUser(t, "csv");
        String g = Scim.createGroup(t, "Night shift, Ops");
        addMember(t, g, u);
        Scim.patch(t, "/scim/v2/Users/" + u, "[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]")
                .statusCode(200);

        String csv = auditor(t)
                .queryParam("format", "csv")
                .get("/audit/Users/" + u + "/memberships")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/csv"))
                .extract()
                .asString();
        String[] lines = csv.split("\r\n");
        assertEquals("groupId,groupDisplayName,type,via,from,to", lines[0]);
        assertEquals(2, lines.length, csv);
        assertTrue(lines[1].startsWith(g + ",\"Night shift, Ops\",direct,,"), lines[1]);
        assertTrue(lines[1].endsWith(","), "an open interval has an empty 'to': " + lines[1]);

        String changes = given().auth()
                .oauth2(Tokens.token(t, "auditor", Scopes.AUDIT_READ))
                .accept("text/csv")
                .queryParam("subject", "idp-" + t)
                .get("/audit/changes")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/csv"))
                .extract()
                .asString();
        String[] rows = changes.split("\r\n");
        assertEquals(
                "position,eventId,resourceType,resourceId,version,type,occurredAt,actor.subject,actor.clientId,"
                        + "clientAddress,requestId,txn,changed",
                rows[0]);
        assertEquals(5, rows.length, changes); // header + user created, group created, member added, user patched
        assertTrue(rows[4].endsWith(",\"[\"\"active\"\"]\""), rows[4]);
        assertTrue(rows[2].contains(",GroupCreated,"), rows[2]);

        String deprov = auditor(t)
                .queryParam("format", "csv")
                .get("/audit/deprovisionings")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        String[] d = deprov.split("\r\n");
        assertEquals(2, d.length, deprov);
        assertTrue(d[1].contains("," + u + ",") && d[1].contains(",deactivated,UserPatched,"), d[1]);
        assertFalse(d[1].endsWith("null"));
        auditor(t)
                .queryParam("format", "xml")
                .get("/audit/deprovisionings")
                .then()
                .statusCode(400);
    }

    @Test
    void exportsReadTheLogInBatchesWithoutLosingOrRepeatingRows() throws Exception {
        String t = tenant("audit-big");
        int n = 2500; // more than two export batches of 1,000
        try (java.sql.Connection owner = Db.owner();
                java.sql.PreparedStatement ps = owner.prepareStatement(
                        "INSERT INTO event (event_id, tenant_id, stream_type, stream_id, stream_version, event_type, "
                                + "schema_version, occurred_at, actor_subject, actor_client_id, request_id, client_address, "
                                + "txn_id, payload, hash) SELECT gen_random_uuid(), ?, 'User', gen_random_uuid(), 1, "
                                // UserPatched of streams that never existed: replays (projection rebuilds) ignore them
                                + "'UserPatched', 1, now(), 'bulk', 'bulk-client', 'r' || i, '10.0.0.1', gen_random_uuid(), "
                                + "jsonb_build_object('state', jsonb_build_object('title', 'T, ' || i)), '\\x00'::bytea "
                                + "FROM generate_series(1, ?) i")) {
            ps.setString(1, t);
            ps.setInt(2, n);
            assertEquals(n, ps.executeUpdate());
        }
        String body = auditor(t)
                .queryParam("subject", "bulk")
                .queryParam("format", "ndjson")
                .get("/audit/changes")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        String[] lines = body.split("\n");
        assertEquals(n, lines.length);
        long last = 0;
        for (String line : lines) {
            long position = MAPPER.readTree(line).get("position").asLong();
            assertTrue(position > last, "positions strictly increase: no row lost or repeated at a batch boundary");
            last = position;
        }
        String csv = auditor(t)
                .queryParam("clientId", "bulk-client")
                .queryParam("format", "csv")
                .get("/audit/changes")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertEquals(n + 1, csv.split("\r\n").length);
    }

    @Test
    void theReportsNeedTheAuditScope() {
        String t = tenant("audit-rscope");
        String u = Scim.createUser(t, "scoped");
        Scim.idp(t)
                .get("/audit/Users/" + u + "/memberships")
                .then()
                .statusCode(403)
                .body("schemas[0]", equalTo("urn:ietf:params:scim:api:messages:2.0:Error"));
        Scim.idp(t).get("/audit/deprovisionings").then().statusCode(403);
        Scim.idp(t).queryParam("subject", "x").get("/audit/changes").then().statusCode(403);
        Scim.idp(t)
                .queryParam("subject", "x")
                .queryParam("format", "csv")
                .get("/audit/changes")
                .then()
                .statusCode(403);
        given().get("/audit/deprovisionings").then().statusCode(401);
        auditor(t)
                .get("/audit/Users/" + u + "/memberships")
                .then()
                .statusCode(200)
                .body("memberships", hasSize(0));
    }
}
