package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import io.scimledger.testinfra.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The two kinds of administrator and the tenant registry (docs/tenants.md). Every admin endpoint is called with a
 * platform operator's token, the tenant's own administrator's, a foreign tenant's administrator's and an identity
 * provider's; every change to the registry is an event of the tenant's stream, with an audit history and a Kafka
 * record.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class TenantAdministrationTest {

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType("application/json");
    }

    /** Registers a tenant through the platform operator and returns its name. */
    static String newTenant(String prefix) {
        String t = prefix + "-" + UUID.randomUUID();
        as(Tokens.admin())
                .body("{\"name\":\"" + t + "\"}")
                .post("/admin/tenants")
                .then()
                .statusCode(201)
                .header("Location", org.hamcrest.Matchers.endsWith("/admin/tenants/" + t))
                .body("status", equalTo("active"));
        return t;
    }

    @Test
    void everyAdminEndpointAnswersByKindOfAdministratorAndForeignTenantsAre404() {
        String t = newTenant("own");
        String other = newTenant("foreign");
        String user = Scim.createUser(t, "victim");
        String platform = Tokens.admin();
        String admin = Tokens.tenantAdmin(t);
        String foreignAdmin = Tokens.tenantAdmin(other);
        String idp = Tokens.idp(t);

        // the registry itself: platform operator only
        as(admin)
                .body("{\"name\":\"x-" + UUID.randomUUID() + "\"}")
                .post("/admin/tenants")
                .then()
                .statusCode(403);
        as(idp).get("/admin/tenants").then().statusCode(403);
        as(admin).get("/admin/tenants").then().statusCode(403);
        as(platform).get("/admin/tenants").then().statusCode(200).body("tenants.name", hasItem(t));
        for (String action : List.of("suspend", "resume")) {
            as(admin).post("/admin/tenants/" + t + "/" + action).then().statusCode(403);
        }
        as(admin).delete("/admin/tenants/" + t).then().statusCode(403);
        as(admin).post("/admin/projections/rebuild").then().statusCode(403);
        as(admin).get("/admin/relay").then().statusCode(403);
        as(platform).get("/admin/relay").then().statusCode(200);

        // a tenant's administration: its administrator or the platform; a foreign administrator sees nothing
        String settings = "{\"uniqueGroupDisplayName\":true}";
        String issuer = "{\"issuer\":\"https://idp.example/" + t + "\",\"publicKey\":\"-----BEGIN PUBLIC KEY-----x\","
                + "\"audience\":\"scim\",\"scopes\":[\"scim:read\"]}";
        String credential = "{\"label\":\"okta\",\"scopes\":[\"scim:read\",\"scim:write\"]}";
        for (String token : List.of(admin, platform)) {
            as(token).get("/admin/tenants/" + t).then().statusCode(200).body("name", equalTo(t));
            as(token)
                    .body(settings)
                    .patch("/admin/tenants/" + t + "/settings")
                    .then()
                    .statusCode(200)
                    .body("settings.uniqueGroupDisplayName", equalTo(true));
            as(token)
                    .body(issuer)
                    .post("/admin/tenants/" + t + "/issuers")
                    .then()
                    .statusCode(200);
            as(token)
                    .queryParam("issuer", "https://idp.example/" + t)
                    .delete("/admin/tenants/" + t + "/issuers")
                    .then()
                    .statusCode(200);
            String id = as(token)
                    .body(credential)
                    .post("/admin/tenants/" + t + "/credentials")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
            as(token)
                    .get("/admin/tenants/" + t + "/credentials")
                    .then()
                    .statusCode(200)
                    .body("credentials.id", hasItem(id));
            as(token)
                    .delete("/admin/tenants/" + t + "/credentials/" + id)
                    .then()
                    .statusCode(204);
        }
        for (String token : List.of(foreignAdmin)) {
            as(token).get("/admin/tenants/" + t).then().statusCode(404).body("status", equalTo("404"));
            as(token)
                    .body(settings)
                    .patch("/admin/tenants/" + t + "/settings")
                    .then()
                    .statusCode(404);
            as(token)
                    .body(issuer)
                    .post("/admin/tenants/" + t + "/issuers")
                    .then()
                    .statusCode(404);
            as(token).get("/admin/tenants/" + t + "/credentials").then().statusCode(404);
            as(token)
                    .body(credential)
                    .post("/admin/tenants/" + t + "/credentials")
                    .then()
                    .statusCode(404);
            // the report: a tenant B administrator erased a user of tenant A. Now: 404, and the user is untouched.
            as(token)
                    .post("/admin/tenants/" + t + "/Users/" + user + "/erasure")
                    .then()
                    .statusCode(404);
        }
        Scim.idp(t).get("/scim/v2/Users/" + user).then().statusCode(200);
        for (String token : List.of(idp)) {
            as(token).get("/admin/tenants/" + t).then().statusCode(403);
            as(token)
                    .post("/admin/tenants/" + t + "/Users/" + user + "/erasure")
                    .then()
                    .statusCode(403);
        }
        // the tenant's own administrator may erase in its own tenant
        as(admin)
                .body("{\"reference\":\"ticket-1\"}")
                .post("/admin/tenants/" + t + "/Users/" + user + "/erasure")
                .then()
                .statusCode(200)
                .body("erasedNow", equalTo(true));
        Scim.idp(t).get("/scim/v2/Users/" + user).then().statusCode(404);
    }

    @Test
    void thePlatformScopeCanNeverBeGrantedByATenant() {
        String t = newTenant("grant");
        as(Tokens.tenantAdmin(t))
                .body("{\"scopes\":[\"platform:admin\"]}")
                .post("/admin/tenants/" + t + "/credentials")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        as(Tokens.admin())
                .body("{\"issuer\":\"https://idp.example/g\",\"publicKey\":\"-----BEGIN PUBLIC KEY-----x\","
                        + "\"audience\":\"a\",\"scopes\":[\"platform:admin\"]}")
                .post("/admin/tenants/" + t + "/issuers")
                .then()
                .statusCode(400);
        // and no tenant may claim the platform's own issuer
        as(Tokens.admin())
                .body("{\"issuer\":\"" + Tokens.ISSUER + "\",\"publicKey\":\"-----BEGIN PUBLIC KEY-----x\","
                        + "\"audience\":\"a\",\"scopes\":[\"scim:read\"]}")
                .post("/admin/tenants/" + t + "/issuers")
                .then()
                .statusCode(400);
    }

    @Test
    void badRegistryInputIsAScimErrorAndRecordsNothing() {
        String t = newTenant("bad");
        long before = tenantEvents(t);
        as(Tokens.admin())
                .body("{\"name\":\"" + t + "\"}")
                .post("/admin/tenants")
                .then()
                .statusCode(409)
                .body("scimType", equalTo("uniqueness"));
        as(Tokens.admin())
                .body("{\"name\":\"no/slashes\"}")
                .post("/admin/tenants")
                .then()
                .statusCode(400);
        as(Tokens.admin())
                .body("{\"unknownSetting\":true}")
                .patch("/admin/tenants/" + t + "/settings")
                .then()
                .statusCode(400)
                .body("detail", startsWith("unknown setting"));
        as(Tokens.admin())
                .body("{\"strictMode\":\"yes\"}")
                .patch("/admin/tenants/" + t + "/settings")
                .then()
                .statusCode(400);
        as(Tokens.admin())
                .body("{\"issuer\":\"https://x\",\"jwksUrl\":\"ftp://x\",\"audience\":\"a\","
                        + "\"scopes\":[\"scim:read\"]}")
                .post("/admin/tenants/" + t + "/issuers")
                .then()
                .statusCode(400);
        as(Tokens.admin())
                .body("{\"scopes\":[\"scim:read\"],\"expiresAt\":\"2001-01-01T00:00:00Z\"}")
                .post("/admin/tenants/" + t + "/credentials")
                .then()
                .statusCode(400);
        as(Tokens.admin())
                .delete("/admin/tenants/" + t + "/credentials/" + UUID.randomUUID())
                .then()
                .statusCode(404);
        assertEquals(before, tenantEvents(t), "a refused change appends nothing");
    }

    @Test
    void everyRegistryChangeIsAnEventWithItsAuditHistoryAndKafkaRecord() {
        String t = newTenant("history");
        as(Tokens.admin())
                .body("{\"strictMode\":true}")
                .patch("/admin/tenants/" + t + "/settings")
                .then()
                .statusCode(200);
        String credential = as(Tokens.tenantAdmin(t))
                .body("{\"label\":\"okta-prod\",\"scopes\":[\"scim:read\"]}")
                .post("/admin/tenants/" + t + "/credentials")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(Tokens.tenantAdmin(t))
                .delete("/admin/tenants/" + t + "/credentials/" + credential)
                .then()
                .statusCode(204);
        as(Tokens.admin())
                .body("{\"reason\":\"unpaid\"}")
                .post("/admin/tenants/" + t + "/suspend")
                .then()
                .statusCode(200)
                .body("status", equalTo("suspended"));
        as(Tokens.admin())
                .post("/admin/tenants/" + t + "/resume")
                .then()
                .statusCode(200)
                .body("status", equalTo("active"));

        List<String> expected = List.of(
                "TenantCreated",
                "TenantSettingsChanged",
                "TenantCredentialIssued",
                "TenantCredentialRevoked",
                "TenantSuspended",
                "TenantResumed");
        // who changed what, from the audit API (the tenant's own auditor)
        String history =
                as(Tokens.admin()).get("/admin/tenants/" + t).then().extract().path("auditHistory");
        Response h = as(Tokens.token(t, "auditor", Scopes.AUDIT_READ)).get(history);
        h.then()
                .statusCode(200)
                .body("events.type", equalTo(expected))
                .body("events[1].actor.subject", equalTo("operator"))
                .body("events[1].changed", equalTo(List.of("strictMode")))
                .body("events[2].actor.subject", equalTo("admin-of-" + t));
        // the chain covers the admin plane too
        as(Tokens.token(t, "auditor", Scopes.AUDIT_READ))
                .get("/audit/verify")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true));
        // nothing of a token reaches the log but its hash: the audit history shows no secret
        assertTrue(!h.asString().contains("slpt_"), h.asString());

        // the same changes on Kafka, in order, without the token hash
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        String topic = ConfigProvider.getConfig().getValue("scim.publish.tenants-topic", String.class);
        List<ConsumerRecord<String, byte[]>> mine = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = TopicReader.fromBeginning(bootstrap, List.of(topic))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (t.equals(TopicReader.header(r, "ce_tenant"))) {
                        mine.add(r);
                    }
                });
                return mine.size() >= expected.size();
            });
        }
        assertEquals(
                expected,
                mine.stream().map(r -> TopicReader.header(r, "ce_ledgerevent")).toList());
        Map<String, String> issued = TopicReader.headers(mine.get(2));
        assertEquals("urn:scim-ledger:event:admin:TenantCredentialIssued", issued.get("ce_type"));
        assertEquals("/admin/tenants/" + t, issued.get("ce_subject"));
        String value = TopicReader.value(mine.get(2));
        assertTrue(value.contains("okta-prod") && !value.contains("tokenHash"), value);
    }

    @Test
    void aSuspendedTenantIsRefusedWith403AndWorksAgainWhenResumed() {
        String t = newTenant("suspend");
        Scim.idp(t).get("/scim/v2/Users").then().statusCode(200);
        as(Tokens.admin()).post("/admin/tenants/" + t + "/suspend").then().statusCode(200);
        Scim.idp(t)
                .get("/scim/v2/Users")
                .then()
                .statusCode(403)
                .body("schemas[0]", equalTo("urn:ietf:params:scim:api:messages:2.0:Error"))
                .body("detail", equalTo("tenant '" + t + "' is suspended"));
        Scim.idp(t)
                .body("{\"userName\":\"during-suspension\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(403);
        as(Tokens.admin()).post("/admin/tenants/" + t + "/resume").then().statusCode(200);
        Scim.idp(t).get("/scim/v2/Users").then().statusCode(200).body("totalResults", equalTo(0));
    }

    @Test
    void settingsAreReadFromTheRegistry() {
        String t = newTenant("settings");
        // unique group displayName: off by default, 409 when on
        Scim.createGroup(t, "Admins");
        Scim.createGroup(t, "admins");
        Scim.settings(t, "{\"uniqueGroupDisplayName\":true}");
        Scim.idp(t)
                .body("{\"displayName\":\"ADMINS\"}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(409)
                .body("scimType", equalTo("uniqueness"));
        String g = Scim.createGroup(t, "Operators");
        Scim.patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Admins\"}]")
                .statusCode(409);
        Scim.patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"operators\"}]")
                .statusCode(200);
        // /Me: 501 until the tenant enables it
        Scim.createUser(t, "idp-" + t);
        Scim.idp(t).get("/scim/v2/Me").then().statusCode(501);
        Scim.settings(t, "{\"meEnabled\":true}");
        Scim.idp(t).get("/scim/v2/Me").then().statusCode(200).body("userName", equalTo("idp-" + t));
        // strict mode
        String body = "{\"userName\":\"strictly\",\"favouriteColour\":\"blue\"}";
        Scim.settings(t, "{\"strictMode\":true}");
        Scim.idp(t).body(body).post("/scim/v2/Users").then().statusCode(400);
        Scim.settings(t, "{\"strictMode\":false}");
        Scim.idp(t)
                .body(body)
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("favouriteColour", not(equalTo("blue")));
    }

    static long tenantEvents(String tenant) {
        return Db.count("SELECT count(*) FROM event WHERE tenant_id = ? AND stream_type = 'Tenant'", tenant);
    }
}
