package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import io.smallrye.jwt.build.Jwt;
import java.security.KeyPairGenerator;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Bearer JWTs, scopes, and tenants that never see each other. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class AuthAndTenancyTest {

    @Test
    void noTokenIs401ScimError() {
        given().get("/scim/v2/Users")
                .then()
                .statusCode(401)
                .contentType(startsWith("application/scim+json"))
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("status", equalTo("401"))
                .body("schemas", hasItem("urn:ietf:params:scim:api:messages:2.0:Error"));
        given().get("/scim/v2/ServiceProviderConfig").then().statusCode(401);
        given().get("/admin/relay").then().statusCode(401);
    }

    @Test
    void garbageOrForeignlySignedTokenIs401() throws Exception {
        given().auth()
                .oauth2("not-a-jwt")
                .get("/scim/v2/Users")
                .then()
                .statusCode(401)
                .body("status", equalTo("401"));
        var kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(2048);
        String forged = Jwt.issuer(Tokens.ISSUER)
                .subject("x")
                .claim("tenant", "t")
                .claim("scope", "scim:read")
                .sign(kpg.generateKeyPair().getPrivate());
        given().auth().oauth2(forged).get("/scim/v2/Users").then().statusCode(401);
        String wrongIssuer = Jwt.issuer("https://evil.example")
                .subject("x")
                .claim("tenant", "t")
                .claim("scope", "scim:read")
                .sign(Tokens.privateKey());
        given().auth().oauth2(wrongIssuer).get("/scim/v2/Users").then().statusCode(401);
    }

    /**
     * The secret-token path Okta and Entra connections use: a provisioning token reads and writes its tenant's users.
     * (Its requests were answered 500 once, because a request filter asked for the caller's JWT.)
     */
    @Test
    void provisioningTokenReadsAndWritesItsTenant() {
        String t = "slpt-" + UUID.randomUUID();
        String id = Scim.createUser(t, "first"); // registers the tenant on first use (test profile)
        String token = Scim.as(Tokens.admin())
                .contentType("application/json")
                .body("{\"label\":\"okta\",\"scopes\":[\"scim:read\",\"scim:write\"]}")
                .post("/admin/tenants/" + t + "/credentials")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
        Scim.as(token).get("/scim/v2/Users/" + id).then().statusCode(200).body("userName", equalTo("first"));
        Scim.as(token)
                .body("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"second\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("userName", equalTo("second"));
        Scim.as(token)
                .get("/scim/v2/Users?filter=userName eq \"SECOND\"")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(1));
    }

    @Test
    void missingScopeIs403ScimError() {
        String t = "auth-" + UUID.randomUUID();
        String readOnly = Tokens.token(t, "reader", Scopes.SCIM_READ);
        Scim.as(readOnly)
                .body("{\"userName\":\"x\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(403)
                .body("status", equalTo("403"));
        String writeOnly = Tokens.token(t, "writer", Scopes.SCIM_WRITE);
        Scim.as(writeOnly).get("/scim/v2/Users").then().statusCode(403);
        String auditor = Tokens.token(t, "auditor", Scopes.AUDIT_READ);
        Scim.as(auditor).get("/scim/v2/Users").then().statusCode(403);
        Scim.as(Tokens.idp(t)).post("/admin/projections/rebuild").then().statusCode(403);
    }

    @Test
    void tokenWithoutTenantIs403() {
        String noTenant = Jwt.issuer(Tokens.ISSUER)
                .subject("x")
                .claim("scope", "scim:read scim:write")
                .sign(Tokens.privateKey());
        Scim.as(noTenant).get("/scim/v2/Users").then().statusCode(403).body("status", equalTo("403"));
    }

    @Test
    void tenantsAreIsolatedAndMayShareAUserName() {
        String a = "tenant-a-" + UUID.randomUUID();
        String b = "tenant-b-" + UUID.randomUUID();
        String inA = Scim.createUser(a, "shared.name");
        String inB = Scim.createUser(b, "shared.name");
        Scim.idp(b).get("/scim/v2/Users/" + inA).then().statusCode(404);
        Scim.patch(b, "/scim/v2/Users/" + inA, "[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]")
                .statusCode(404);
        Scim.idp(b).delete("/scim/v2/Users/" + inA).then().statusCode(404);
        Scim.idp(a).get("/scim/v2/Users/" + inA).then().statusCode(200).body("active", equalTo(true));
        Scim.idp(b)
                .queryParam("filter", "userName eq \"shared.name\"")
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(1))
                .body("Resources[0].id", equalTo(inB));
        Scim.idp(b).get("/scim/v2/Users").then().body("totalResults", equalTo(1));
    }
}
