package io.scimledger.it;

import static io.restassured.RestAssured.given;

import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/** Short helpers for SCIM calls in tests: a tenant's identity provider talking application/scim+json. */
public final class Scim {

    public static final String SCIM_JSON = "application/scim+json";

    private Scim() {}

    public static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(SCIM_JSON).accept(SCIM_JSON);
    }

    public static RequestSpecification idp(String tenant) {
        return as(Tokens.idp(tenant));
    }

    /** Creates a user and returns its id. */
    public static String createUser(String tenant, String userName) {
        return idp(tenant)
                .body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s",
                 "name":{"givenName":"Given %s","familyName":"Family"},
                 "emails":[{"value":"%s@example.com","type":"work","primary":true}],"active":true}
                """.formatted(userName, userName, userName))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    public static String createGroup(String tenant, String displayName) {
        return idp(tenant)
                .body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"%s"}
                """.formatted(displayName))
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    /**
     * Changes a tenant's settings (docs/tenants.md) as the platform operator, registering the tenant first through
     * a request of its identity provider (the test profile registers a tenant on first use).
     */
    public static void settings(String tenant, String settingsJson) {
        idp(tenant).get("/scim/v2/Users?count=0").then().statusCode(200);
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body(settingsJson)
                .patch("/admin/tenants/" + tenant + "/settings")
                .then()
                .statusCode(200);
    }

    public static ValidatableResponse patch(String tenant, String path, String operationsJson) {
        return idp(tenant)
                .body("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":"
                        + operationsJson + "}")
                .patch(path)
                .then();
    }
}
