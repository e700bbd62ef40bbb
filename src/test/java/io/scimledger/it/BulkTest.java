package io.scimledger.it;

import static io.scimledger.it.Scim.idp;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** RFC 7644 section 3.7: Bulk operations, bulkId references (3.7.1, 3.7.2), failOnErrors and limits (3.7.3, 3.7.4). */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class BulkTest {

    static final String BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
    static final String BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

    static String tenant() {
        return "bulk-" + UUID.randomUUID();
    }

    static String request(String operations) {
        return "{\"schemas\":[\"" + BULK_REQUEST + "\"],\"Operations\":" + operations + "}";
    }

    static JsonPath bulk(String tenant, String body) {
        return idp(tenant)
                .body(body)
                .post("/scim/v2/Bulk")
                .then()
                .statusCode(200)
                .body("schemas", hasItem(BULK_RESPONSE))
                .extract()
                .jsonPath();
    }

    static String idOf(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** RFC 7644 section 3.7.2: a user and a group whose member is that user, by bulkId. */
    @Test
    void createUserAndGroupWithMemberReferencingTheUsersBulkId() {
        String t = tenant();
        JsonPath out = bulk(t, request("""
                [{"method":"POST","path":"/Users","bulkId":"qwerty",
                  "data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice"}},
                 {"method":"POST","path":"/Groups","bulkId":"ytrewq",
                  "data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Tour Guides",
                          "members":[{"type":"User","value":"bulkId:qwerty"}]}}]"""));
        assertEquals(2, out.getList("Operations").size());
        assertEquals("201", out.getString("Operations[0].status"));
        assertEquals("POST", out.getString("Operations[0].method"));
        assertEquals("qwerty", out.getString("Operations[0].bulkId"));
        assertEquals("W/\"1\"", out.getString("Operations[0].version"));
        String userLocation = out.getString("Operations[0].location");
        assertTrue(userLocation.startsWith("http") && userLocation.contains("/scim/v2/Users/"), userLocation);
        assertEquals("201", out.getString("Operations[1].status"));
        String user = idOf(userLocation);
        String group = idOf(out.getString("Operations[1].location"));
        idp(t).get("/scim/v2/Groups/" + group)
                .then()
                .statusCode(200)
                .body("displayName", equalTo("Tour Guides"))
                .body("members.value", containsInAnyOrder(user));
        idp(t).get("/scim/v2/Users/" + user).then().body("groups.value", hasItem(group));
    }

    /**
     * RFC 7644 section 3.7.2: references may point forward; operations run once what they reference exists.
     * Also a bulkId in a path, an enterprise manager.value and an Entra-style bare manager string.
     */
    @Test
    void forwardReferencesRunInDependencyOrder() {
        String t = tenant();
        JsonPath out = bulk(t, request("""
                [{"method":"PATCH","path":"/Groups/bulkId:g1","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                  "Operations":[{"op":"add","path":"members","value":[{"value":"bulkId:boss"}]}]}},
                 {"method":"POST","path":"/Groups","bulkId":"g1","data":{"displayName":"Forward",
                  "members":[{"value":"bulkId:worker"}]}},
                 {"method":"POST","path":"/Users","bulkId":"worker","data":{"userName":"worker",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"bulkId:boss"}}}},
                 {"method":"POST","path":"/Users","bulkId":"entra","data":{"userName":"entra",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"bulkId:boss"}}},
                 {"method":"POST","path":"/Users","bulkId":"boss","data":{"userName":"boss"}}]"""));
        List<Map<String, Object>> ops = out.getList("Operations");
        assertEquals(5, ops.size());
        // Listed in request order, each exactly once.
        assertEquals("PATCH", ops.get(0).get("method"));
        assertEquals("200", ops.get(0).get("status"), ops.toString());
        for (int i = 1; i < 5; i++) {
            assertEquals("201", ops.get(i).get("status"), ops.toString());
        }
        String group = idOf((String) ops.get(1).get("location"));
        String worker = idOf((String) ops.get(2).get("location"));
        String entra = idOf((String) ops.get(3).get("location"));
        String boss = idOf((String) ops.get(4).get("location"));
        assertEquals(out.getString("Operations[0].location"), out.getString("Operations[1].location"));
        idp(t).get("/scim/v2/Groups/" + group).then().body("members.value", containsInAnyOrder(worker, boss));
        String enterprise = "'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'";
        idp(t).get("/scim/v2/Users/" + worker).then().body(enterprise + ".manager.value", equalTo(boss));
        idp(t).get("/scim/v2/Users/" + entra).then().body(enterprise + ".manager.value", equalTo(boss));
    }

    /** RFC 7644 section 3.7.1: the circular reference example, two groups containing each other. */
    @Test
    void circularReferencesBetweenTwoGroups() {
        String t = tenant();
        JsonPath out = bulk(t, request("""
                [{"method":"POST","path":"/Groups","bulkId":"qwerty","data":{
                   "schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Group A",
                   "members":[{"type":"Group","value":"bulkId:ytrewq"}]}},
                 {"method":"POST","path":"/Groups","bulkId":"ytrewq","data":{
                   "schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Group B",
                   "members":[{"type":"Group","value":"bulkId:qwerty"}]}}]"""));
        List<Map<String, Object>> ops = out.getList("Operations");
        assertEquals(2, ops.size(), "each POST is reported once: " + ops);
        assertEquals("qwerty", ops.get(0).get("bulkId"));
        assertEquals("ytrewq", ops.get(1).get("bulkId"));
        assertEquals("201", ops.get(0).get("status"), ops.toString());
        assertEquals("201", ops.get(1).get("status"), ops.toString());
        String a = idOf((String) ops.get(0).get("location"));
        String b = idOf((String) ops.get(1).get("location"));
        idp(t).get("/scim/v2/Groups/" + a)
                .then()
                .statusCode(200)
                .body("displayName", equalTo("Group A"))
                .body("members.value", containsInAnyOrder(b))
                .body("meta.version", equalTo(ops.get(0).get("version")));
        idp(t).get("/scim/v2/Groups/" + b)
                .then()
                .statusCode(200)
                .body("displayName", equalTo("Group B"))
                .body("members.value", containsInAnyOrder(a))
                .body("meta.version", equalTo(ops.get(1).get("version")));
    }

    /** RFC 7644 section 3.7.3: failOnErrors 1 stops after the first error; the rest is neither run nor listed. */
    @Test
    void failOnErrorsStopsAfterTheFirstError() {
        String t = tenant();
        JsonPath out = bulk(t, """
                {"schemas":["%s"],"failOnErrors":1,"Operations":[
                 {"method":"DELETE","path":"/Users/%s"},
                 {"method":"POST","path":"/Users","bulkId":"never","data":{"userName":"never-created"}}]}""".formatted(BULK_REQUEST, UUID.randomUUID()));
        assertEquals(1, out.getList("Operations").size());
        assertEquals("404", out.getString("Operations[0].status"));
        assertEquals("404", out.getString("Operations[0].response.status"));
        idp(t).queryParam("filter", "userName eq \"never-created\"")
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(0));
    }

    /** RFC 7644 section 3.7 / 3.14: an operation's version is its If-Match; a stale one fails with 412. */
    @Test
    void versionMismatchIs412InTheOperationResult() {
        String t = tenant();
        String user = Scim.createUser(t, "versioned");
        JsonPath out = bulk(t, request("""
                [{"method":"PUT","path":"/Users/%s","version":"W/\\"7\\"","data":{"userName":"stale"}},
                 {"method":"PUT","path":"/Users/%s","version":"W/\\"1\\"","data":{"userName":"fresh"}}]""".formatted(user, user)));
        assertEquals("412", out.getString("Operations[0].status"));
        assertEquals("urn:ietf:params:scim:api:messages:2.0:Error", out.getString("Operations[0].response.schemas[0]"));
        assertTrue(out.getString("Operations[0].location").endsWith("/Users/" + user));
        assertEquals("200", out.getString("Operations[1].status"));
        assertEquals("W/\"2\"", out.getString("Operations[1].version"));
        idp(t).get("/scim/v2/Users/" + user).then().body("userName", equalTo("fresh"));
    }

    /** RFC 7644 section 3.7.4: more than maxOperations operations is 413, and nothing runs. */
    @Test
    void tooManyOperationsIs413() {
        String t = tenant();
        StringBuilder ops = new StringBuilder("[");
        for (int i = 0; i < 1001; i++) {
            ops.append(i == 0 ? "" : ",")
                    .append("{\"method\":\"POST\",\"path\":\"/Users\",\"data\":{\"userName\":\"u")
                    .append(i)
                    .append("\"}}");
        }
        long before = Db.eventCount(t);
        idp(t).body(request(ops.append("]").toString()))
                .post("/scim/v2/Bulk")
                .then()
                .statusCode(413)
                .body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:Error"))
                .body("status", equalTo("413"));
        assertEquals(before, Db.eventCount(t));
    }

    /** RFC 7644 section 3.7.4: a body larger than maxPayloadSize (bytes) is 413. */
    @Test
    void tooLargePayloadIs413() {
        String big = "x".repeat(1_048_576);
        idp(tenant())
                .body(request("[{\"method\":\"POST\",\"path\":\"/Users\",\"data\":{\"userName\":\"" + big + "\"}}]"))
                .post("/scim/v2/Bulk")
                .then()
                .statusCode(413)
                .body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:Error"))
                .body("status", equalTo("413"))
                .body("detail", org.hamcrest.Matchers.containsString("maxPayloadSize"));
    }

    /** Each operation is its own transaction: a failing one (here after its first append) leaves no event. */
    @Test
    void aFailingOperationAppendsNoEvent() {
        String t = tenant();
        long before = Db.eventCount(t);
        JsonPath out = bulk(t, request("""
                [{"method":"POST","path":"/Users","bulkId":"ok","data":{"userName":"kept"}},
                 {"method":"POST","path":"/Groups","bulkId":"bad","data":{"displayName":"Broken",
                  "members":[{"value":"%s"}]}}]""".formatted(UUID.randomUUID())));
        assertEquals("201", out.getString("Operations[0].status"));
        assertEquals("400", out.getString("Operations[1].status"));
        assertEquals("invalidValue", out.getString("Operations[1].response.scimType"));
        assertNull(out.get("Operations[1].location"));
        assertEquals(before + 1, Db.eventCount(t), "only the user's UserCreated was appended");
    }

    /** RFC 7644 section 3.7.2: a reference to an unknown bulkId, or to a failed operation, is 409 invalidValue. */
    @Test
    void referencesToUnknownOrFailedBulkIdsAre409() {
        String t = tenant();
        long before = Db.eventCount(t);
        JsonPath out = bulk(t, request("""
                [{"method":"POST","path":"/Groups","data":{"displayName":"G","members":[{"value":"bulkId:nobody"}]}},
                 {"method":"POST","path":"/Users","bulkId":"dup","data":{"userName":""}},
                 {"method":"PATCH","path":"/Users/bulkId:dup","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}}]"""));
        assertEquals("409", out.getString("Operations[0].status"));
        assertEquals("invalidValue", out.getString("Operations[0].response.scimType"));
        assertEquals("400", out.getString("Operations[1].status"));
        assertEquals("409", out.getString("Operations[2].status"));
        assertEquals("invalidValue", out.getString("Operations[2].response.scimType"));
        assertEquals(before, Db.eventCount(t));
    }

    /**
     * RFC 7644 section 3.7.1: a cycle that cannot be broken by deferring group members (here two users managing
     * each other) fails with 409 invalidValue instead of looping or creating half of it.
     */
    @Test
    void unbreakableCycleIs409() {
        String t = tenant();
        long before = Db.eventCount(t);
        String mgr = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        JsonPath out = bulk(t, request("""
                [{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"a","%s":{"manager":"bulkId:b"}}},
                 {"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"b","%s":{"manager":"bulkId:a"}}}]""".formatted(mgr, mgr)));
        assertEquals("409", out.getString("Operations[0].status"));
        assertEquals("409", out.getString("Operations[1].status"));
        assertEquals("invalidValue", out.getString("Operations[1].response.scimType"));
        assertEquals(before, Db.eventCount(t));
    }

    /** Unknown methods and paths fail alone (400) without stopping the others; duplicate bulkIds fail the request. */
    @Test
    void badOperationsFailAloneButDuplicateBulkIdsFailTheRequest() {
        String t = tenant();
        JsonPath out = bulk(t, """
                {"schemas":["%s"],"operations":[
                 {"method":"GET","path":"/Users"},
                 {"method":"POST","path":"/Widgets","data":{"name":"w"}},
                 {"Method":"post","Path":"/Users","BulkId":"x","Data":{"userName":"lenient"}}]}""".formatted(BULK_REQUEST));
        assertEquals("400", out.getString("Operations[0].status"));
        assertEquals("invalidSyntax", out.getString("Operations[0].response.scimType"));
        assertEquals("400", out.getString("Operations[1].status"));
        assertEquals("invalidPath", out.getString("Operations[1].response.scimType"));
        assertEquals("201", out.getString("Operations[2].status"));
        assertNotEquals(null, out.getString("Operations[2].location"));

        idp(t).body(request("""
                [{"method":"POST","path":"/Users","bulkId":"same","data":{"userName":"a"}},
                 {"method":"POST","path":"/Users","bulkId":"same","data":{"userName":"b"}}]"""))
                .post("/scim/v2/Bulk")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        idp(t).body("{\"schemas\":[\"" + BULK_REQUEST + "\"]}")
                .post("/scim/v2/Bulk")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidSyntax"));
    }

    @Test
    void deleteReportsLocationAnd204() {
        String t = tenant();
        String user = Scim.createUser(t, "doomed");
        JsonPath out = bulk(t, request("[{\"method\":\"DELETE\",\"path\":\"/Users/" + user + "\"}]"));
        assertEquals("204", out.getString("Operations[0].status"));
        assertTrue(out.getString("Operations[0].location").endsWith("/Users/" + user));
        assertNull(out.get("Operations[0].version"));
        idp(t).get("/scim/v2/Users/" + user).then().statusCode(404);
    }

    @Test
    void bulkNeedsTheWriteScope() {
        Scim.as(Tokens.token("bulk-ro", "reader", io.scimledger.security.Scopes.SCIM_READ))
                .body(request("[]"))
                .post("/scim/v2/Bulk")
                .then()
                .statusCode(403)
                .body("status", equalTo("403"));
    }

    /** RFC 7644 section 5: /ServiceProviderConfig advertises bulk with its limits. */
    @Test
    void serviceProviderConfigAdvertisesBulk() {
        idp("bulk-disc")
                .get("/scim/v2/ServiceProviderConfig")
                .then()
                .statusCode(200)
                .body("bulk.supported", equalTo(true))
                .body("bulk.maxOperations", equalTo(1000))
                .body("bulk.maxPayloadSize", equalTo(1048576))
                .body("bulk.nothing", nullValue());
    }
}
