package io.scimledger.admission;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.scimledger.it.Scim;
import io.scimledger.it.Tokens;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 9, item 7: a tenant over its own limit gets 429 + Retry-After; another tenant is not affected. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class AdmissionControlTest {

    private static final int REQUESTS = 40;

    @Test
    void aFloodingTenantIsThrottledWhileAnotherIsServed() {
        // one request a second, bursts of three: 40 back-to-back requests cannot all fit
        Scim.settings("admission-flood", "{\"requestsPerSecond\":1,\"burst\":3}");
        Scim.settings("admission-calm", "{}");

        List<Integer> flood = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Response r = Scim.idp("admission-flood").get("/scim/v2/Users?count=0");
            flood.add(r.statusCode());
            if (r.statusCode() != 200) {
                assertEquals(429, r.statusCode(), "over its limit a tenant gets 429, nothing else: " + r.asString());
                String retryAfter = r.header("Retry-After");
                assertTrue(retryAfter != null && Long.parseLong(retryAfter) >= 1, "Retry-After in seconds");
                assertEquals("429", r.jsonPath().getString("status"));
                assertTrue(
                        r.jsonPath().getList("schemas").contains("urn:ietf:params:scim:api:messages:2.0:Error"),
                        "a SCIM error body");
                assertTrue(r.contentType().startsWith("application/scim+json"));
            }
            // the other tenant, interleaved with the flood, is always served
            Scim.idp("admission-calm").get("/scim/v2/Users?count=0").then().statusCode(200);
        }
        long throttled = flood.stream().filter(s -> s == 429).count();
        assertTrue(throttled > 0, "the flooding tenant was throttled: " + flood);
        assertTrue(flood.get(0) == 200, "the first requests of a burst pass: " + flood);
    }

    @Test
    void aRaisedLimitAppliesWithoutARestart() {
        Scim.settings("admission-raised", "{\"requestsPerSecond\":1,\"burst\":1}");
        Scim.idp("admission-raised").get("/scim/v2/Users?count=0"); // may take the only token
        Scim.idp("admission-raised").get("/scim/v2/Users?count=0").then().statusCode(429);
        // not Scim.settings: its first request would itself be throttled
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{\"requestsPerSecond\":1000000,\"burst\":1000000}")
                .patch("/admin/tenants/admission-raised/settings")
                .then()
                .statusCode(200);
        for (int i = 0; i < 10; i++) {
            Scim.idp("admission-raised").get("/scim/v2/Users?count=0").then().statusCode(200);
        }
    }

    @Test
    void theBucketRefillsAtItsRateUpToItsBurst() {
        TokenBucket bucket = new TokenBucket();
        long t = 0;
        assertEquals(0, bucket.tryTake(t, 2, 2));
        assertEquals(0, bucket.tryTake(t, 2, 2));
        long wait = bucket.tryTake(t, 2, 2);
        assertEquals(500_000_000L, wait, "two a second: the next token in half a second");
        assertEquals(0, bucket.tryTake(t + wait, 2, 2));
        // a long pause refills to the burst, never beyond
        t += 60_000_000_000L;
        assertEquals(0, bucket.tryTake(t, 2, 2));
        assertEquals(0, bucket.tryTake(t, 2, 2));
        assertTrue(bucket.tryTake(t, 2, 2) > 0);
    }
}
