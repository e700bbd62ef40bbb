package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** GET /audit/search: finds resources in the log, deleted and erased ones included, within the caller's tenant. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class AuditSearchTest {

    private static RequestSpecification auditor(String tenant) {
        return given().auth()
                .oauth2(Tokens.token(tenant, "auditor", Scopes.AUDIT_READ))
                .accept("application/json");
    }

    private static String user(String tenant, String userName, String externalId) {
        return Scim.idp(tenant)
                .body("""
                {"userName":"%s","externalId":"%s","displayName":"Display %s"}""".formatted(userName, externalId, userName))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    @Test
    void findsLiveDeletedAndErasedResourcesByNameExternalIdAndId() {
        String t = "search-" + UUID.randomUUID();
        String ada = user(t, "ada@example.com", "HR-1");
        String carl = user(t, "carl@example.com", "HR-2");
        String grace = user(t, "grace@example.com", "HR-3");
        String group = Scim.createGroup(t, "Flight Crew");
        Scim.idp(t).delete("/scim/v2/Users/" + carl).then().statusCode(204);
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{}")
                .post("/admin/tenants/" + t + "/Users/" + grace + "/erasure")
                .then()
                .statusCode(200);

        auditor(t)
                .get("/audit/search?q=ADA@")
                .then()
                .statusCode(200)
                .body("resources", hasSize(1))
                .body("resources[0].id", equalTo(ada))
                .body("resources[0].userName", equalTo("ada@example.com"))
                .body("resources[0].deleted", equalTo(false))
                .body("resources[0].erased", equalTo(false))
                .body("complete", equalTo(true));
        // by displayName, a deleted user: found, with its last recorded state and the deletion
        auditor(t)
                .get("/audit/search?q=display carl")
                .then()
                .statusCode(200)
                .body("resources", hasSize(1))
                .body("resources[0].id", equalTo(carl))
                .body("resources[0].deleted", equalTo(true))
                .body("resources[0].userName", equalTo("carl@example.com"));
        // an erased person: no longer found by name, found by externalId without any personal value
        auditor(t).get("/audit/search?q=grace").then().statusCode(200).body("resources", hasSize(0));
        auditor(t)
                .get("/audit/search?q=hr-3")
                .then()
                .statusCode(200)
                .body("resources", hasSize(1))
                .body("resources[0].id", equalTo(grace))
                .body("resources[0].erased", equalTo(true))
                .body("resources[0].personalDataReadable", equalTo(false))
                .body("resources[0].userName", nullValue())
                .body("resources[0].displayName", nullValue())
                .body("resources[0].externalId", equalTo("HR-3"));
        // groups by displayName, type filter, exact id
        auditor(t)
                .get("/audit/search?q=crew&type=Groups")
                .then()
                .statusCode(200)
                .body("resources", hasSize(1))
                .body("resources[0].resourceType", equalTo("Group"))
                .body("resources[0].displayName", equalTo("Flight Crew"));
        auditor(t).get("/audit/search?q=crew&type=Users").then().statusCode(200).body("resources", hasSize(0));
        auditor(t).get("/audit/search?q=" + carl).then().statusCode(200).body("resources[0].id", equalTo(carl));
        auditor(t)
                .get("/audit/search?id=" + ada + "&id=" + group + "&id=" + UUID.randomUUID())
                .then()
                .statusCode(200)
                .body("resources", hasSize(2));
    }

    @Test
    void anotherTenantOrAMissingScopeFindsNothing() {
        String t = "search-" + UUID.randomUUID();
        String ada = user(t, "ada@example.com", "HR-1");
        String other = "search-other-" + UUID.randomUUID();
        auditor(other).get("/audit/search?q=" + ada).then().statusCode(200).body("resources", hasSize(0));
        auditor(other).get("/audit/search?q=ada").then().statusCode(200).body("resources", hasSize(0));
        auditor(other).get("/audit/search?id=" + ada).then().statusCode(200).body("resources", hasSize(0));
        Scim.idp(t).accept("application/json").get("/audit/search?q=ada").then().statusCode(403);
        given().get("/audit/search?q=ada").then().statusCode(401);
    }

    @Test
    void aLongSearchStopsAtFiftyMatchesAndContinues() {
        String t = "search-" + UUID.randomUUID();
        for (int i = 0; i < 52; i++) {
            Scim.createGroup(t, "team-" + i);
        }
        JsonPath first = auditor(t)
                .get("/audit/search?q=TEAM")
                .then()
                .statusCode(200)
                .body("resources", hasSize(50))
                .body("complete", equalTo(false))
                .extract()
                .jsonPath();
        auditor(t)
                .get("/audit/search?q=team&continue=" + first.getString("continue"))
                .then()
                .statusCode(200)
                .body("resources", hasSize(2))
                .body("complete", equalTo(true));
        assertEquals(50, first.getInt("scanned"));
    }

    @Test
    void badParametersAreScimErrors() {
        String t = "search-" + UUID.randomUUID();
        auditor(t).get("/audit/search").then().statusCode(400).body("scimType", equalTo("invalidValue"));
        auditor(t)
                .get("/audit/search?q=x&type=Things")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        auditor(t)
                .get("/audit/search?q=x&continue=nonsense")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        auditor(t).get("/audit/search?id=not-a-uuid").then().statusCode(400).body("scimType", equalTo("invalidValue"));
    }
}
