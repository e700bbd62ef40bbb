package io.scimledger.conformance;

import static io.restassured.RestAssured.given;
import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.scimledger.it.Scim;
import io.scimledger.it.Tokens;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 6: a query parameter that does not parse is 400 invalidValue naming it, on every endpoint that
 * takes it, never a 404 "no such endpoint" (what JAX-RS answers when it cannot bind an Integer) and never a 500.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class QueryParametersTest {

    static final List<String> NOT_INTEGERS = List.of("abc", "1.5", "1e3", "0x10", "--1", "\uff11", "1 2");

    @Test
    void rfc7644_3_4_2_4_nonNumericStartIndexOrCountIs400OnUsersAndGroups() {
        String t = Conf.tenant("params");
        Scim.createUser(t, "p1");
        for (String endpoint : List.of("/scim/v2/Users", "/scim/v2/Groups")) {
            for (String name : List.of("startIndex", "count")) {
                for (String bad : NOT_INTEGERS) {
                    idp(t).queryParam(name, bad)
                            .get(endpoint)
                            .then()
                            .statusCode(400)
                            .body("scimType", equalTo("invalidValue"))
                            .body("schemas[0]", equalTo(Conf.ERROR));
                }
            }
            // what does parse keeps its RFC meaning: huge numbers clamp, an empty value is absent
            idp(t).queryParam("startIndex", "99999999999").get(endpoint).then().statusCode(200);
            idp(t).queryParam("count", "99999999999").get(endpoint).then().statusCode(200);
            idp(t).queryParam("count", "").get(endpoint).then().statusCode(200);
            idp(t).queryParam("count", " ").get(endpoint).then().statusCode(200);
            idp(t).queryParam("startIndex", "+2")
                    .queryParam("count", "-5")
                    .get(endpoint)
                    .then()
                    .statusCode(200)
                    .body("itemsPerPage", equalTo(0));
        }
    }

    @Test
    void rfc7644_3_4_2_3_unknownSortOrderIs400AndOtherTextParametersNever5xx() {
        String t = Conf.tenant("params");
        Scim.createUser(t, "p2");
        for (String endpoint : List.of("/scim/v2/Users", "/scim/v2/Groups")) {
            idp(t).queryParam("sortOrder", "sideways")
                    .get(endpoint)
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            idp(t).queryParam("sortOrder", "DESCENDING").get(endpoint).then().statusCode(200);
            idp(t).body("{\"schemas\":[\"" + Conf.SEARCH + "\"],\"sortOrder\":\"up\"}")
                    .post(endpoint + "/.search")
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            idp(t).queryParam("cursor", "not-a-cursor")
                    .get(endpoint)
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidCursor")); // RFC 9865's own scimType
            for (String name : List.of("attributes", "excludedAttributes", "sortBy")) {
                for (String junk : List.of("", ",", "a..b", "emails[", "urn:x:y:", "%", "\"")) {
                    idp(t).queryParam(name, junk).get(endpoint).then().statusCode(lessThan(500));
                }
            }
        }
    }

    private static RequestSpecification auditor(String tenant) {
        return given().auth()
                .oauth2(Tokens.token(tenant, "auditor-" + tenant, Scopes.AUDIT_READ))
                .accept("application/json");
    }

    @Test
    void auditParametersThatDoNotParseAre400() {
        String t = Conf.tenant("params");
        String u = Scim.createUser(t, "p3");
        for (String bad : NOT_INTEGERS) {
            auditor(t)
                    .queryParam("limit", bad)
                    .get("/audit/Users/" + u + "/history")
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            auditor(t)
                    .queryParam("after", bad)
                    .get("/audit/deprovisionings")
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            auditor(t)
                    .queryParam("subject", "s")
                    .queryParam("limit", bad)
                    .get("/audit/changes")
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
        }
        for (String bad : List.of("yesterday", "2026-13-01T00:00:00Z", "1700000000", "2026-05-04T09:15:02")) {
            auditor(t)
                    .queryParam("time", bad)
                    .get("/audit/Users/" + u + "/as-of")
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            auditor(t)
                    .queryParam("from", bad)
                    .get("/audit/deprovisionings")
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            auditor(t)
                    .queryParam("to", bad)
                    .get("/audit/deprovisionings")
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            auditor(t)
                    .queryParam("at", bad)
                    .get("/audit/Users/" + u + "/memberships")
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
        }
    }
}
