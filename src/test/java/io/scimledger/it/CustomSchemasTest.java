package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.scimledger.security.Scopes;
import io.scimledger.tenants.TenantName;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 items 5 and 6: a tenant's own schema extensions, end to end (registry, write path, log, sealing, filter,
 * sort, PATCH, attribute selection, discovery, Kafka, audit) and every way a schema is refused.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class CustomSchemasTest {

    static final String ACME = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";

    static final String ACME_SCHEMA = """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Schema"],
             "id":"%s","name":"AcmeUser","description":"Acme's own user attributes",
             "attributes":[
               {"name":"costCenter","type":"string","multiValued":false,"required":false,"caseExact":false,
                "mutability":"readWrite","returned":"default","uniqueness":"none"},
               {"name":"badgeNumber","type":"string","personal":true},
               {"name":"level","type":"integer"},
               {"name":"internalNote","type":"string","returned":"request"},
               {"name":"projects","type":"complex","multiValued":true,"subAttributes":[
                 {"name":"code","type":"string"},{"name":"since","type":"dateTime"}]}]}
            """.formatted(ACME);

    private static String tenant(String prefix) {
        String t = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Scim.idp(t).get("/scim/v2/Users?count=0").then().statusCode(200); // registered on first use (test profile)
        return t;
    }

    private static RequestSpecification admin(String tenant) {
        return given().auth().oauth2(Tokens.tenantAdmin(tenant)).contentType("application/json");
    }

    private static void register(String tenant, String schemaJson) {
        admin(tenant)
                .body(schemaJson)
                .post("/admin/tenants/" + tenant + "/schemas")
                .then()
                .log()
                .ifValidationFails()
                .statusCode(201);
    }

    private static String userWithAcme(String tenant, String userName, String acmeJson) {
        return Scim.idp(tenant)
                .body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","%s"],"userName":"%s",
                 "%s":%s}""".formatted(ACME, userName, ACME, acmeJson))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static String rawState(String userId, int version) {
        return Db.rows(
                        "SELECT payload->>'state' AS s FROM event WHERE stream_id = ?::uuid AND stream_version = ?",
                        userId,
                        version)
                .get(0)
                .get("s")
                .toString();
    }

    @Test
    void issueExampleIsStoredReturnedAndInTheLogWithPersonalValuesSealed() {
        String t = tenant("schemas-example");
        admin(t).body(ACME_SCHEMA)
                .post("/admin/tenants/" + t + "/schemas")
                .then()
                .log()
                .ifValidationFails()
                .statusCode(201)
                .header("Location", containsString("/admin/tenants/" + t + "/schemas/" + ACME))
                .body("id", equalTo(ACME))
                .body("resourceType", equalTo("User"))
                .body("attributes.find { it.name == 'badgeNumber' }.personal", equalTo(true));
        admin(t).get("/admin/tenants/" + t + "/schemas").then().statusCode(200).body("totalResults", equalTo(1));

        // the issue's exact request
        String id = Scim.idp(t)
                .body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
                            "urn:ietf:params:scim:schemas:extension:acme:2.0:User"],
                 "userName":"cc@example.com",
                 "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"CC-1"}}""")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("schemas", hasItem(ACME))
                .body("'" + ACME + "'.costCenter", equalTo("CC-1"))
                .extract()
                .path("id");
        Scim.idp(t)
                .get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("'" + ACME + "'.costCenter", equalTo("CC-1"));
        assertTrue(
                rawState(id, 1).contains("\"costCenter\": \"CC-1\"")
                        || rawState(id, 1).contains("\"costCenter\":\"CC-1\""),
                "the log's state holds the cost centre: " + rawState(id, 1));

        // personal: sealed in the log, clear in the answer
        String badge = userWithAcme(t, "badge@example.com", "{\"badgeNumber\":\"B-777-SECRET\",\"level\":3}");
        String raw = rawState(badge, 1);
        assertFalse(raw.contains("B-777-SECRET"), "a personal extension value is not in clear in the log: " + raw);
        assertTrue(raw.contains("$enc"), raw);
        Scim.idp(t)
                .get("/scim/v2/Users/" + badge)
                .then()
                .statusCode(200)
                .body("'" + ACME + "'.badgeNumber", equalTo("B-777-SECRET"))
                .body("'" + ACME + "'.level", equalTo(3));

        // validated like core attributes
        Scim.idp(t)
                .body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","%s"],"userName":"bad-level",
                 "%s":{"level":"high"}}""".formatted(ACME, ACME))
                .post("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
    }

    @Test
    void filterSortPatchReturnedAndDiscoveryByFullUrnPath() {
        String t = tenant("schemas-query");
        register(t, ACME_SCHEMA);
        String a = userWithAcme(t, "a@example.com", "{\"costCenter\":\"CC-1\",\"level\":2,\"internalNote\":\"n-a\"}");
        String b = userWithAcme(t, "b@example.com", "{\"costCenter\":\"CC-2\",\"level\":10}");
        String c = userWithAcme(t, "c@example.com", "{\"costCenter\":\"cc-1\",\"level\":1}");

        Scim.idp(t)
                .queryParam("filter", ACME + ":costCenter eq \"CC-1\"")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(2)); // caseExact false: CC-1 and cc-1
        Scim.idp(t)
                .queryParam("filter", ACME + ":level gt 1")
                .queryParam("sortBy", ACME + ":level")
                .queryParam("sortOrder", "descending")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("Resources.id", equalTo(List.of(b, a))); // numeric order: 10 before 2
        Scim.idp(t)
                .queryParam("sortBy", ACME + ":level")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("Resources.id", equalTo(List.of(c, a, b)));

        // returned: request
        Scim.idp(t).get("/scim/v2/Users/" + a).then().body("'" + ACME + "'.internalNote", nullValue());
        Scim.idp(t)
                .queryParam("attributes", ACME + ":internalNote")
                .get("/scim/v2/Users/" + a)
                .then()
                .body("'" + ACME + "'.internalNote", equalTo("n-a"));

        // PATCH with the full URN path (Entra's shape) and with a no-path value object
        Scim.patch(t, "/scim/v2/Users/" + a, """
                [{"op":"Replace","path":"%s:costCenter","value":"CC-3"},
                 {"op":"add","path":"%s:projects","value":[{"code":"P1","since":"2024-01-01T00:00:00Z"}]}]""".formatted(ACME, ACME))
                .statusCode(200)
                .body("'" + ACME + "'.costCenter", equalTo("CC-3"))
                .body("'" + ACME + "'.projects[0].code", equalTo("P1"));
        Scim.patch(t, "/scim/v2/Users/" + a, """
                [{"op":"replace","value":{"%s":{"level":5}}}]""".formatted(ACME))
                .statusCode(200)
                .body("'" + ACME + "'.level", equalTo(5));
        Scim.patch(t, "/scim/v2/Users/" + a, """
                [{"op":"remove","path":"%s:costCenter"}]""".formatted(ACME))
                .statusCode(200)
                .body("'" + ACME + "'.costCenter", nullValue());
        Scim.idp(t)
                .queryParam("filter", ACME + ":projects[code eq \"P1\"]")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("Resources.id", equalTo(List.of(a)));

        // Entra's flattened key in a create body: "<urn>:<attribute>"
        String flat = Scim.idp(t)
                .body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","%s"],"userName":"flat@example.com",
                 "%s:costCenter":"CC-FLAT"}""".formatted(ACME, ACME))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("'" + ACME + "'.costCenter", equalTo("CC-FLAT"))
                .extract()
                .path("id");
        // Okta's custom app: GET then PUT of the whole resource with the extension object
        Scim.idp(t)
                .body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","%s"],"id":"%s","userName":"flat@example.com",
                 "%s":{"costCenter":"CC-OKTA","level":7}}""".formatted(ACME, flat, ACME))
                .put("/scim/v2/Users/" + flat)
                .then()
                .statusCode(200)
                .body("'" + ACME + "'.costCenter", equalTo("CC-OKTA"));

        // discovery for this tenant
        Scim.idp(t)
                .get("/scim/v2/Schemas/" + ACME)
                .then()
                .statusCode(200)
                .body("attributes.name", hasItem("costCenter"));
        Scim.idp(t)
                .get("/scim/v2/ResourceTypes/User")
                .then()
                .statusCode(200)
                .body("schemaExtensions.schema", hasItem(ACME));

        // on Kafka: the compacted state topic carries the extension values
        Map<String, Topics.Published> latest = Topics.awaitLatestState(
                t,
                m -> m.containsKey(flat)
                        && m.get(flat).body() != null
                        && m.get(flat).body().contains("CC-OKTA"),
                Duration.ofSeconds(60));
        assertTrue(latest.get(flat).body().contains(ACME), latest.get(flat).body());
    }

    @Test
    void anotherTenantNeitherSeesTheSchemaNorKeepsSuchAttributes() {
        String owner = tenant("schemas-owner");
        register(owner, ACME_SCHEMA);
        String other = tenant("schemas-other");

        Scim.idp(other).get("/scim/v2/Schemas").then().statusCode(200).body("Resources.id", not(hasItem(ACME)));
        Scim.idp(other).get("/scim/v2/Schemas/" + ACME).then().statusCode(404);
        Scim.idp(other).get("/scim/v2/ResourceTypes/User").then().body("schemaExtensions.schema", not(hasItem(ACME)));
        String id = userWithAcme(other, "x@example.com", "{\"costCenter\":\"CC-1\"}");
        Scim.idp(other).get("/scim/v2/Users/" + id).then().body("'" + ACME + "'", nullValue());
        assertFalse(rawState(id, 1).contains("CC-1"), "an unregistered extension is not stored");
        Scim.idp(other)
                .queryParam("filter", ACME + ":costCenter eq \"CC-1\"")
                .get("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidFilter"));

        // the owner's admin API is not reachable from the other tenant's administrator
        given().auth()
                .oauth2(Tokens.tenantAdmin(other))
                .get("/admin/tenants/" + owner + "/schemas")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.tenantAdmin(other))
                .contentType("application/json")
                .body(ACME_SCHEMA)
                .post("/admin/tenants/" + owner + "/schemas")
                .then()
                .statusCode(404);
        // a strict tenant refuses what it does not know
        Scim.settings(other, "{\"strictMode\":true}");
        Scim.idp(other)
                .body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","%s"],"userName":"y@example.com",
                 "%s":{"costCenter":"CC-1"}}""".formatted(ACME, ACME))
                .post("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("detail", containsString(ACME));
    }

    @Test
    void badSchemasAre400WithADetailAndWriteNoEvent() {
        String t = tenant("schemas-bad");
        register(t, ACME_SCHEMA);
        long before = allEvents(t);
        String base = "/admin/tenants/" + t + "/schemas";
        record Bad(String body, String scimType, String detail) {}
        List<Bad> cases = List.of(
                new Bad("[1,2]", "invalidSyntax", "JSON object"),
                new Bad("{\"id\":\"urn:x:y:User\"}", "invalidSyntax", "'attributes'"),
                new Bad(
                        "{\"id\":\"urn:x:y:User\",\"attributes\":[{\"name\":\"a\",\"type\":\"text\"}]}",
                        "invalidValue",
                        "unknown type 'text'"),
                new Bad(
                        "{\"id\":\"not a urn\",\"attributes\":[{\"name\":\"a\",\"type\":\"string\"}]}",
                        "invalidValue",
                        "URN"),
                new Bad(
                        "{\"id\":\"urn:x:y:User\",\"attributes\":[{\"name\":\"a\",\"type\":\"string\",\"colour\":1}]}",
                        "invalidSyntax",
                        "unknown member 'colour'"),
                new Bad(
                        "{\"id\":\"urn:x:y:User\",\"attributes\":[{\"name\":\"c\",\"type\":\"complex\"}]}",
                        "invalidSyntax",
                        "subAttributes"),
                new Bad(
                        "{\"id\":\"urn:x:y:User\",\"attributes\":[{\"name\":\"userName\",\"type\":\"string\"}]}",
                        "invalidValue",
                        "clashes with the core User attribute"),
                new Bad(
                        "{\"id\":\"urn:x:y:User\",\"attributes\":[{\"name\":\"DisplayName\",\"type\":\"string\"}]}",
                        "invalidValue",
                        "clashes with the core User attribute"),
                new Bad(
                        "{\"id\":\"urn:x:y:Group\",\"resourceType\":\"Group\",\"attributes\":[{\"name\":\"members\",\"type\":\"string\"}]}",
                        "invalidValue",
                        "clashes with the core Group attribute"),
                new Bad(
                        "{\"id\":\"urn:x:y:User\",\"attributes\":[{\"name\":\"externalId\",\"type\":\"string\"}]}",
                        "invalidValue",
                        "clashes with the common attribute"),
                new Bad(
                        "{\"id\":\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\",\"attributes\":[{\"name\":\"a\",\"type\":\"string\"}]}",
                        "invalidValue",
                        "reserved"),
                new Bad(
                        "{\"id\":\"urn:x:y:User\",\"attributes\":[{\"name\":\"a\",\"type\":\"string\",\"uniqueness\":\"server\"}]}",
                        "invalidValue",
                        "uniqueness"),
                new Bad(
                        "{\"id\":\"urn:x:y:User\",\"attributes\":[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"A\",\"type\":\"string\"}]}",
                        "invalidValue",
                        "defined twice"),
                new Bad(manyAttributes(101), "invalidValue", "at most 100 attributes"),
                new Bad(largeSchema(), "invalidValue", "at most 65536"));
        for (Bad bad : cases) {
            admin(t).body(bad.body())
                    .post(base)
                    .then()
                    .statusCode(400)
                    .body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:Error"))
                    .body("scimType", equalTo(bad.scimType()))
                    .body("detail", containsString(bad.detail()));
        }
        admin(t).body(manyAttributes(100)).post(base).then().statusCode(201); // the limit itself is accepted
        long afterLimit = allEvents(t);
        assertEquals(before + 1, afterLimit, "only the accepted schema was recorded");
        admin(t).body(ACME_SCHEMA).post(base).then().statusCode(409).body("scimType", equalTo("uniqueness"));

        // a type change: refused while any user holds a value, accepted for an attribute without data
        userWithAcme(t, "holder@example.com", "{\"costCenter\":\"CC-1\"}");
        long withUser = allEvents(t);
        String costCenterAsInteger = ACME_SCHEMA.replace(
                "{\"name\":\"costCenter\",\"type\":\"string\"", "{\"name\":\"costCenter\",\"type\":\"integer\"");
        assertTrue(costCenterAsInteger.contains("\"costCenter\",\"type\":\"integer\""));
        admin(t).body(costCenterAsInteger)
                .put(base + "/" + ACME)
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"))
                .body("detail", containsString("holds values"))
                .body("detail", containsString("string -> integer"));
        String levelAsString = ACME_SCHEMA.replace(
                "{\"name\":\"level\",\"type\":\"integer\"}", "{\"name\":\"level\",\"type\":\"string\"}");
        admin(t).body(levelAsString)
                .put(base + "/" + ACME)
                .then()
                .statusCode(200)
                .body("attributes.find { it.name == 'level' }.type", equalTo("string"));
        admin(t).body(levelAsString.replace(ACME, "urn:x:other:User"))
                .put(base + "/" + ACME)
                .then()
                .statusCode(400)
                .body("detail", containsString("id cannot change"));
        assertEquals(withUser + 1, allEvents(t), "only the accepted change was recorded");
        admin(t).body(ACME_SCHEMA).put(base + "/urn:x:none:User").then().statusCode(404);
        admin(t).delete(base + "/urn:x:none:User").then().statusCode(404);
    }

    @Test
    void schemaChangesAreTenantEventsAndRemovingAnAttributeKeepsItsHistory() {
        String t = tenant("schemas-history");
        register(t, ACME_SCHEMA);
        String id = userWithAcme(t, "h@example.com", "{\"costCenter\":\"CC-HIST\",\"badgeNumber\":\"B-GONE-42\"}");
        String withoutCostCenter = ACME_SCHEMA.replaceFirst("\\{\"name\":\"costCenter\"[^}]*\\},", "");
        assertFalse(withoutCostCenter.contains("costCenter"));
        admin(t).body(withoutCostCenter)
                .put("/admin/tenants/" + t + "/schemas/" + ACME)
                .then()
                .statusCode(200);

        // no longer part of the resource ...
        Scim.idp(t).get("/scim/v2/Users/" + id).then().statusCode(200).body("'" + ACME + "'.costCenter", nullValue());
        // ... but the log and the audit history keep it
        assertTrue(rawState(id, 1).contains("CC-HIST"));
        RequestSpecification auditor = given().auth()
                .oauth2(Tokens.token(t, "auditor", Scopes.AUDIT_READ))
                .accept("application/json");
        String history = auditor.get("/audit/Users/" + id + "/history")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertTrue(history.contains("CC-HIST"), history);

        // a value of a removed schema is not carried into the next event, where it could no longer be sealed
        admin(t).delete("/admin/tenants/" + t + "/schemas/" + ACME).then().statusCode(204);
        Scim.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Eng\"}]")
                .statusCode(200)
                .body("'" + ACME + "'", nullValue())
                .body("schemas", not(hasItem(ACME)));
        assertFalse(rawState(id, 2).contains("B-GONE-42"), rawState(id, 2));
        assertFalse(rawState(id, 2).contains(ACME), rawState(id, 2));
        assertFalse(rawState(id, 1).contains("B-GONE-42"), "sealed while the attribute was personal");
        Scim.idp(t).get("/scim/v2/Schemas/" + ACME).then().statusCode(404);
        admin(t).get("/admin/tenants/" + t).then().statusCode(200).body("schemas.size()", equalTo(0));

        String historyUrl = admin(t).get("/admin/tenants/" + t).then().extract().path("auditHistory");
        assertEquals("/audit/Tenant/" + TenantName.streamId(t) + "/history", historyUrl);
        JsonPath h = given().auth()
                .oauth2(Tokens.token(t, "auditor", Scopes.AUDIT_READ))
                .accept("application/json")
                .get(historyUrl)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        List<String> types = h.getList("events.type");
        assertEquals(
                List.of("TenantCreated", "TenantSchemaRegistered", "TenantSchemaChanged", "TenantSchemaRemoved"),
                types);
        assertEquals("admin-of-" + t, h.getString("events[1].actor.subject"));
        String raw = Db.rows(
                        "SELECT payload::text AS p FROM event WHERE tenant_id = ? AND event_type = 'TenantSchemaChanged'",
                        t)
                .get(0)
                .get("p")
                .toString();
        assertTrue(
                raw.contains("\"attributesRemoved\": [\"costCenter\"]")
                        || raw.contains("\"attributesRemoved\":[\"costCenter\"]"),
                raw);
    }

    /** Every event of the tenant, its own administration stream included. */
    private static long allEvents(String tenant) {
        return Db.count("SELECT count(*) FROM event WHERE tenant_id = ?", tenant);
    }

    private static String manyAttributes(int n) {
        StringBuilder b = new StringBuilder("{\"id\":\"urn:x:many" + n + ":User\",\"attributes\":[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"name\":\"a").append(i).append("\",\"type\":\"string\"}");
        }
        return b.append("]}").toString();
    }

    private static String largeSchema() {
        String description = "x".repeat(1900);
        StringBuilder b = new StringBuilder("{\"id\":\"urn:x:large:User\",\"attributes\":[");
        for (int i = 0; i < 40; i++) {
            b.append(i == 0 ? "" : ",")
                    .append("{\"name\":\"a")
                    .append(i)
                    .append("\",\"type\":\"string\",\"description\":\"")
                    .append(description)
                    .append("\"}");
        }
        return b.append("]}").toString();
    }
}
