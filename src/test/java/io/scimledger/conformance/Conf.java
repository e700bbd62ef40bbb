package io.scimledger.conformance;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.scimledger.it.Scim;
import java.util.List;
import java.util.UUID;

/** Small helpers shared by the conformance suite (each test uses its own random tenant). */
final class Conf {

    static final String USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
    static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    static final String ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
    static final String LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    static final String SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

    private Conf() {}

    static String tenant(String prefix) {
        return "conf-" + prefix + "-" + UUID.randomUUID();
    }

    static RequestSpecification idp(String tenant) {
        return Scim.idp(tenant);
    }

    /** Creates a user from a raw JSON body; returns its id. */
    static String createUser(String tenant, String json) {
        return idp(tenant)
                .body(json)
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    static String patchBody(String operationsJson) {
        return "{\"schemas\":[\"" + PATCH_OP + "\"],\"Operations\":" + operationsJson + "}";
    }

    static ValidatableResponse patch(String tenant, String path, String operationsJson) {
        return Scim.patch(tenant, path, operationsJson);
    }

    /** GET /Users?filter=... and returns the parsed body; status must be 200. */
    static JsonPath userFilter(String tenant, String filter) {
        return idp(tenant)
                .queryParam("filter", filter)
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    static List<String> userNames(String tenant, String filter) {
        return userFilter(tenant, filter).getList("Resources.userName");
    }

    static RequestSpecification anonymous() {
        return given();
    }
}
