package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static io.scimledger.conformance.Conf.patch;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Db;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 7644 sections 3.5.2 and 3.12 (issue 12, item 1): a value whose type does not fit the schema is 400
 * invalidValue in POST, PUT, PATCH and Bulk, for every attribute type, and nothing is written. Only the shapes
 * docs/compatibility.md lists with their client stay tolerated (their replay tests prove them).
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class StrictTypesTest {

    /** attribute (as a JSON member of a User body) → a wrongly typed value, one per type. */
    static final List<String[]> WRONG = List.of(
            new String[] {"displayName", "123"}, // string given a number
            new String[] {"title", "true"}, // string given a boolean
            new String[] {"profileUrl", "42"}, // reference
            new String[] {"active", "\"yes\""}, // boolean given a non-boolean string
            new String[] {"active", "1"}, // boolean given a number
            new String[] {"name", "\"Barbara Jensen\""}, // complex given a string
            new String[] {"name", "[{\"givenName\":\"B\"}]"}, // single complex given an array
            new String[] {"emails", "\"a@example.com\""}, // multi-valued given a bare string
            new String[] {"emails", "[\"a@example.com\"]"}, // elements must be objects
            new String[] {"emails", "[{\"value\":\"a@example.com\",\"primary\":\"maybe\"}]"}, // boolean sub-attribute
            new String[] {"emails", "[{\"value\":7}]"}, // string sub-attribute
            new String[] {"x509Certificates", "[{\"value\":true}]"}, // binary
            new String[] {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "{\"employeeNumber\":7}"
            }); // extension string

    private static String userBody(String attribute, String value) {
        return "{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"typed\",\"" + attribute + "\":" + value + "}";
    }

    private static long events(String tenant) {
        return Db.count("SELECT count(*) FROM event WHERE tenant_id = ?", tenant);
    }

    @Test
    void rfc7644_3_12_postAndPutRejectEveryWronglyTypedValue() {
        String t = Conf.tenant("types");
        String id = Conf.createUser(t, userBody("displayName", "\"ok\""));
        long before = events(t);
        for (String[] w : WRONG) {
            idp(t).body(userBody(w[0], w[1]))
                    .post("/scim/v2/Users")
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            idp(t).body(userBody(w[0], w[1]))
                    .put("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
        }
        assertEquals(before, events(t));
        idp(t).get("/scim/v2/Users/" + id).then().statusCode(200).body("displayName", equalTo("ok"));
    }

    @Test
    void rfc7644_3_5_2_patchRejectsWronglyTypedValuesWithAndWithoutPath() {
        String t = Conf.tenant("types");
        String id = Conf.createUser(t, userBody("userType", "\"Employee\""));
        long before = events(t);
        for (String[] w : WRONG) {
            String path = w[0];
            patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"" + path + "\",\"value\":" + w[1] + "}]")
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"add\",\"value\":{\"" + path + "\":" + w[1] + "}}]")
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
        }
        // the issue's own examples
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"userType\",\"value\":true}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"add\",\"path\":\"emails\",\"value\":\"SomeIllegalValue\"}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"replace\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":5}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":false}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        assertEquals(before, events(t));
        idp(t).get("/scim/v2/Users/" + id).then().statusCode(200).body("userType", equalTo("Employee"));
    }

    @Test
    void rfc7644_3_12_groupsAndMembersAreStrictToo() {
        String t = Conf.tenant("types");
        String u = Scim.createUser(t, "member");
        idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":42}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        // a member is an object with a string value: bare ids and numbers are not
        idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"G\",\"members\":[\"" + u + "\"]}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"G\",\"members\":\"" + u + "\"}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        String g = idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"G\"}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":12}]}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":false}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
    }

    @Test
    void rfc7644_3_7_bulkRejectsWronglyTypedValuesPerOperation() {
        String t = Conf.tenant("types");
        String id = Conf.createUser(t, userBody("displayName", "\"ok\""));
        String bulk = """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
                 {"method":"POST","path":"/Users","bulkId":"b1","data":{"schemas":["%s"],"userName":"bulk1","displayName":5}},
                 {"method":"PATCH","path":"/Users/%s","data":{"schemas":["%s"],
                   "Operations":[{"op":"replace","path":"active","value":"sometimes"}]}}]}""".formatted(Conf.USER, id, Conf.PATCH_OP);
        long before = events(t);
        idp(t).body(bulk)
                .post("/scim/v2/Bulk")
                .then()
                .statusCode(200)
                .body("Operations[0].status", equalTo("400"))
                .body("Operations[0].response.scimType", equalTo("invalidValue"))
                .body("Operations[1].status", equalTo("400"))
                .body("Operations[1].response.scimType", equalTo("invalidValue"));
        assertEquals(before, events(t));
    }

    @Test
    void documentedQuirksStayTolerated() {
        String t = Conf.tenant("types");
        // Entra 2: boolean strings; OneLogin: a single object for emails; Entra 7: bare manager id
        String id = Conf.createUser(t, """
                {"schemas":["%s","%s"],"userName":"quirky","active":"True","emails":{"value":"q@example.com"},
                 "%s":{"manager":"m-1"}}""".formatted(Conf.USER, Conf.ENTERPRISE, Conf.ENTERPRISE));
        idp(t).get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("active", equalTo(true))
                .body("emails[0].value", equalTo("q@example.com"))
                .body("'" + Conf.ENTERPRISE + "'.manager.value", equalTo("m-1"));
        patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]")
                .statusCode(200)
                .body("active", equalTo(false));
    }
}
