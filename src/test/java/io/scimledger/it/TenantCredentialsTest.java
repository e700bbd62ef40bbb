package io.scimledger.it;

import static io.scimledger.it.TenantAdministrationTest.as;
import static io.scimledger.it.TenantAdministrationTest.newTenant;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import io.smallrye.jwt.build.Jwt;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Credentials an identity provider can use (docs/tenants.md): provisioning tokens for static-bearer connections (Okta
 * "HTTP Header", Entra "Secret Token") and a tenant's own trusted issuer, so that a token signed by the identity
 * provider (Entra, with its tenant id in {@code tid}) works without any shared secret.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class TenantCredentialsTest {

    static final String USER = "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"%s\"}";

    static ExtractableResponse<Response> issue(String tenant, String body) {
        return as(Tokens.tenantAdmin(tenant))
                .body(body)
                .post("/admin/tenants/" + tenant + "/credentials")
                .then()
                .statusCode(201)
                .header("Cache-Control", "no-store")
                .extract();
    }

    @Test
    void aProvisioningTokenIsShownOnceKeptOnlyAsAHashScopedAndRevocable() {
        String t = newTenant("token");
        var issued = issue(t, "{\"label\":\"okta-prod\",\"scopes\":[\"scim:read\",\"scim:write\"]}");
        String token = issued.path("token");
        String id = issued.path("id");
        assertTrue(token.startsWith("slpt_") && token.length() > 40, token);

        // it works as an identity provider's bearer token, and the log names it (never its secret)
        String user = Scim.as(token)
                .body(USER.formatted("via-token"))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        var row = Db.rows("SELECT actor_subject, actor_client_id FROM event WHERE stream_id = ?::uuid", user)
                .get(0);
        assertEquals("token:" + id, row.get("actor_subject"));
        assertEquals("okta-prod", row.get("actor_client_id"));
        // the listing shows it without the token, with its last use
        as(Tokens.tenantAdmin(t))
                .get("/admin/tenants/" + t + "/credentials")
                .then()
                .statusCode(200)
                .body("credentials[0].id", equalTo(id))
                .body("credentials[0].token", nullValue())
                .body("credentials[0].lastUsedAt", notNullValue());
        // nowhere in the database in clear: not the log, not the registry
        assertEquals(0, Db.count("SELECT count(*) FROM event WHERE payload::text LIKE ?", "%" + token + "%"));
        assertEquals(0, Db.count("SELECT count(*) FROM tenant_credential t WHERE t::text LIKE ?", "%" + token + "%"));
        assertEquals(
                1,
                Db.count(
                        "SELECT count(*) FROM tenant_credential WHERE tenant_id = ? AND token_hash = "
                                + "sha256(convert_to(?, 'UTF8'))",
                        t,
                        token));

        // Okta's "HTTP Header" connection may send the bare token, without "Bearer " (docs/compatibility.md)
        io.restassured.RestAssured.given()
                .header("Authorization", token)
                .accept("application/scim+json")
                .get("/scim/v2/Users/" + user)
                .then()
                .statusCode(200);
        // scoped: a read-only token cannot write
        String readOnly = issue(t, "{\"scopes\":[\"scim:read\"]}").path("token");
        Scim.as(readOnly).get("/scim/v2/Users/" + user).then().statusCode(200);
        Scim.as(readOnly)
                .body(USER.formatted("nope"))
                .post("/scim/v2/Users")
                .then()
                .statusCode(403);
        // and bound to its tenant: another tenant's data is not there
        String other = newTenant("token-other");
        String foreign = Scim.createUser(other, "foreign");
        Scim.as(token).get("/scim/v2/Users/" + foreign).then().statusCode(404);

        // revoked: refused from the next request on
        as(Tokens.tenantAdmin(t))
                .delete("/admin/tenants/" + t + "/credentials/" + id)
                .then()
                .statusCode(204);
        Scim.as(token)
                .get("/scim/v2/Users")
                .then()
                .statusCode(401)
                .body("schemas[0]", equalTo("urn:ietf:params:scim:api:messages:2.0:Error"));
        Scim.as(readOnly).get("/scim/v2/Users").then().statusCode(200);
        // a made-up token of the right shape
        Scim.as("slpt_" + "A".repeat(43)).get("/scim/v2/Users").then().statusCode(401);
    }

    @Test
    void anExpiredTokenIsRefused() {
        String t = newTenant("expiry");
        Instant expiry = Instant.now().plusSeconds(3);
        String token = issue(t, "{\"scopes\":[\"scim:read\"],\"expiresAt\":\"" + expiry + "\"}")
                .path("token");
        Scim.as(token).get("/scim/v2/Users").then().statusCode(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(expiry));
        Scim.as(token).get("/scim/v2/Users").then().statusCode(401);
    }

    /**
     * Another instance's revocation reaches this one through the database's notification: simulated here by
     * changing the registry row behind this instance's back and notifying as that instance would.
     */
    @Test
    void aRevocationCommittedElsewhereTakesEffectHereThroughTheNotification() throws Exception {
        String t = newTenant("notify");
        String token = issue(t, "{\"scopes\":[\"scim:read\"]}").path("token");
        Scim.as(token).get("/scim/v2/Users").then().statusCode(200); // now cached here
        try (Connection owner = Db.owner();
                Statement st = owner.createStatement()) {
            st.executeUpdate("UPDATE tenant_credential SET revoked_at = now() WHERE tenant_id = '" + t + "'");
            st.execute("NOTIFY scim_registry, 'credentials'");
        }
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> Scim.as(token).get("/scim/v2/Users").statusCode() == 401);
    }

    @Test
    void aTokenSignedByTheTenantsOwnIdentityProviderWorksWithoutASharedSecret() throws Exception {
        String t = newTenant("entra");
        String tid = UUID.randomUUID().toString();
        String iss = "https://sts.windows.net/" + tid + "/";
        KeyPair idpKey = rsa();
        HttpServer jwks = jwksServer((RSAPublicKey) idpKey.getPublic(), "entra-key-1");
        try {
            String jwksUrl = "http://127.0.0.1:" + jwks.getAddress().getPort() + "/keys";
            as(Tokens.tenantAdmin(t))
                    .body("{\"issuer\":\"" + iss + "\",\"jwksUrl\":\"" + jwksUrl + "\","
                            + "\"audience\":\"api://scim-ledger\",\"tenantClaim\":\"tid\",\"tenantClaimValue\":\"" + tid
                            + "\","
                            + "\"scopes\":[\"scim:read\",\"scim:write\"]}")
                    .post("/admin/tenants/" + t + "/issuers")
                    .then()
                    .statusCode(200)
                    .body("issuers[0].issuer", equalTo(iss));

            String good = entraToken(idpKey, iss, "api://scim-ledger", tid);
            String user = Scim.as(good)
                    .body(USER.formatted("entra-user"))
                    .post("/scim/v2/Users")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
            var row = Db.rows(
                            "SELECT tenant_id, actor_subject, actor_client_id FROM event WHERE stream_id = ?::uuid",
                            user)
                    .get(0);
            assertEquals(t, row.get("tenant_id"));
            assertEquals("entra-provisioning-sp", row.get("actor_subject"));
            assertEquals("entra-app-id", row.get("actor_client_id"));
            // Entra is recognised by its issuer: a Group PATCH answers 204 (docs/compatibility.md)
            String g = Scim.as(good)
                    .body("{\"displayName\":\"Entra group\"}")
                    .post("/scim/v2/Groups")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
            Scim.as(good)
                    .body("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":"
                            + "[{\"op\":\"Add\",\"path\":\"members\",\"value\":[{\"value\":\"" + user + "\"}]}]}")
                    .patch("/scim/v2/Groups/" + g)
                    .then()
                    .statusCode(204);

            // everything that does not match is refused
            Scim.as(entraToken(idpKey, iss, "api://someone-else", tid))
                    .get("/scim/v2/Users")
                    .then()
                    .statusCode(401);
            Scim.as(entraToken(
                            idpKey, iss, "api://scim-ledger", UUID.randomUUID().toString()))
                    .get("/scim/v2/Users")
                    .then()
                    .statusCode(401);
            Scim.as(entraToken(rsa(), iss, "api://scim-ledger", tid))
                    .get("/scim/v2/Users")
                    .then()
                    .statusCode(401);
            Scim.as(entraToken(idpKey, "https://sts.windows.net/nobody/", "api://scim-ledger", tid))
                    .get("/scim/v2/Users")
                    .then()
                    .statusCode(401);
            // the platform scope cannot be smuggled in: the issuer grants exactly its scopes
            Scim.as(good).get("/admin/tenants").then().statusCode(403);

            // no longer trusted: refused at once
            as(Tokens.tenantAdmin(t))
                    .queryParam("issuer", iss)
                    .delete("/admin/tenants/" + t + "/issuers")
                    .then()
                    .statusCode(200);
            Scim.as(good).get("/scim/v2/Users").then().statusCode(401);
        } finally {
            jwks.stop(0);
        }
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static String entraToken(KeyPair key, String iss, String aud, String tid) {
        return Jwt.issuer(iss)
                .audience(aud)
                .subject("entra-provisioning-sp")
                .claim("tid", tid)
                .claim("appid", "entra-app-id")
                .claim("roles", List.of("Provisioning"))
                .expiresIn(Duration.ofMinutes(10))
                .jws()
                .keyId("entra-key-1")
                .sign(key.getPrivate());
    }

    /** The identity provider's key set endpoint, as Entra serves it at .../discovery/v2.0/keys. */
    static HttpServer jwksServer(RSAPublicKey key, String kid) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"n\":\""
                + b64.encodeToString(unsigned(key.getModulus().toByteArray())) + "\",\"e\":\""
                + b64.encodeToString(unsigned(key.getPublicExponent().toByteArray())) + "\"}]}";
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/keys", exchange -> {
            byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    private static byte[] unsigned(byte[] twosComplement) {
        if (twosComplement.length > 1 && twosComplement[0] == 0) {
            return java.util.Arrays.copyOfRange(twosComplement, 1, twosComplement.length);
        }
        return twosComplement;
    }
}
