package io.scimledger.it;

import static io.scimledger.it.TenantAdministrationTest.as;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * As in production (scim.tenants.register-on-first-use off): a valid token of a tenant the registry does not know,
 * or knows no longer, gets 403 as a SCIM error.
 */
@QuarkusTest
@TestProfile(RegistrationRequiredTest.Production.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class RegistrationRequiredTest {

    public static class Production implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("scim.tenants.register-on-first-use", "false");
        }
    }

    @Test
    void unknownAndDeletedTenantsAre403() {
        String t = "unregistered-" + UUID.randomUUID();
        Scim.idp(t)
                .get("/scim/v2/Users")
                .then()
                .statusCode(403)
                .body("schemas[0]", equalTo("urn:ietf:params:scim:api:messages:2.0:Error"))
                .body("status", equalTo("403"))
                .body("detail", equalTo("tenant '" + t + "' is not registered"));
        Scim.idp(t).body("{\"userName\":\"x\"}").post("/scim/v2/Users").then().statusCode(403);

        as(Tokens.admin())
                .body("{\"name\":\"" + t + "\"}")
                .post("/admin/tenants")
                .then()
                .statusCode(201);
        Scim.idp(t).get("/scim/v2/Users").then().statusCode(200);

        as(Tokens.admin()).delete("/admin/tenants/" + t).then().statusCode(204);
        Scim.idp(t)
                .get("/scim/v2/Users")
                .then()
                .statusCode(403)
                .body("detail", equalTo("tenant '" + t + "' is not registered"));
        // the deleted tenant's log stays
        org.junit.jupiter.api.Assertions.assertEquals(
                2,
                Db.count( // TenantCreated, TenantDeleted
                        "SELECT count(*) FROM event WHERE tenant_id = ? AND stream_type = 'Tenant'", t));
    }
}
