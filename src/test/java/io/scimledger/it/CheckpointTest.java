package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.scimledger.audit.CheckpointWriter;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Signed checkpoints over the whole log detect what the per-stream chains cannot: a removed latest event, a forged
 * signature.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class CheckpointTest {

    @Inject
    CheckpointWriter checkpoints;

    private static RequestSpecification auditor(String tenant) {
        return given().auth()
                .oauth2(Tokens.token(tenant, "auditor-" + tenant, Scopes.AUDIT_READ))
                .accept("application/json");
    }

    @Test
    void checkpointsAreSignedAndDetectARemovedLatestEventAndAForgedSignature() throws Exception {
        String t = "checkpoint-" + UUID.randomUUID();
        String id = Scim.createUser(t, "cp-user");
        for (int i = 0; i < 2; i++) {
            Scim.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"t" + i + "\"}]")
                    .statusCode(200);
        }
        UUID latest = (UUID) Db.rows("SELECT event_id FROM event WHERE stream_id = ?::uuid AND stream_version = 3", id)
                .get(0)
                .get("event_id");
        long cp = waitForCheckpointCovering(latest);

        // intact, from the checkpoint that covers our events on (earlier ones may belong to other tests). It checks
        // every checkpoint from cp on; the background writer may add some while it runs, so the exact number is
        // bracketed by the counts before and after the call.
        String fromCp = "SELECT count(*) FROM log_checkpoint WHERE id >= ?";
        long existingBefore = Db.count(fromCp, cp);
        long checked = auditor(t)
                .queryParam("from", cp)
                .get("/audit/verify/checkpoints")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true))
                .body("signaturesChecked", equalTo(true))
                .extract()
                .jsonPath()
                .getLong("checkpointsChecked");
        long existingAfter = Db.count(fromCp, cp);
        assertTrue(
                existingBefore <= checked && checked <= existingAfter,
                "checked " + checked + " of the " + existingBefore + ".." + existingAfter + " checkpoints from " + cp);

        // independent verification with the published key and the signed text
        JsonPath key = auditor(t)
                .get("/audit/checkpoints/key")
                .then()
                .statusCode(200)
                .body("algorithm", equalTo("Ed25519"))
                .body("pem", containsString("BEGIN PUBLIC KEY"))
                .extract()
                .jsonPath();
        JsonPath list = auditor(t)
                .queryParam("after", cp - 1)
                .queryParam("limit", 1)
                .get("/audit/checkpoints")
                .then()
                .statusCode(200)
                .body("checkpoints[0].id", equalTo((int) cp))
                .body("checkpoints[0].keyId", equalTo(key.getString("keyId")))
                .extract()
                .jsonPath();
        PublicKey pub = KeyFactory.getInstance("Ed25519")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(key.getString("publicKey"))));
        Signature sig = Signature.getInstance("Ed25519");
        sig.initVerify(pub);
        sig.update(list.getString("checkpoints[0].signed").getBytes(StandardCharsets.UTF_8));
        assertTrue(sig.verify(Base64.getDecoder().decode(list.getString("checkpoints[0].signature"))));

        // the service role cannot alter checkpoints
        try (Connection app = Db.app();
                Statement st = app.createStatement()) {
            assertThrows(SQLException.class, () -> st.executeUpdate("UPDATE log_checkpoint SET key_id = 'x'"));
        }
        // nor can the owner while the triggers are on
        try (Connection owner = Db.owner();
                Statement st = owner.createStatement()) {
            assertTrue(assertThrows(
                            SQLException.class, () -> st.executeUpdate("DELETE FROM log_checkpoint WHERE id = " + cp))
                    .getMessage()
                    .contains("append-only"));
        }

        // remove the stream's latest event: the chain of the shorter stream is still valid, the checkpoint is not
        try (Connection owner = Db.owner()) {
            owner.setAutoCommit(false);
            try (Statement st = owner.createStatement()) {
                st.execute("CREATE TEMP TABLE saved_event AS SELECT * FROM event WHERE event_id = '" + latest + "'");
                st.execute("ALTER TABLE event DISABLE TRIGGER USER");
                assertEquals(1, st.executeUpdate("DELETE FROM event WHERE event_id = '" + latest + "'"));
                st.execute("ALTER TABLE event ENABLE TRIGGER USER");
                owner.commit();
            }
            try {
                auditor(t)
                        .get("/audit/verify")
                        .then()
                        .statusCode(200)
                        .body("intact", equalTo(true))
                        .body("eventsChecked", equalTo(3)); // + the tenant's registration
                auditor(t)
                        .queryParam("from", cp)
                        .get("/audit/verify/checkpoints")
                        .then()
                        .statusCode(200)
                        .body("intact", equalTo(false))
                        .body("firstBrokenCheckpoint.id", equalTo((int) cp))
                        .body("firstBrokenCheckpoint.reason", containsString("removed"));
            } finally {
                try (Statement st = owner.createStatement()) {
                    st.execute("INSERT INTO event OVERRIDING SYSTEM VALUE SELECT * FROM saved_event");
                    st.execute("DROP TABLE saved_event");
                    owner.commit();
                }
            }
        }
        auditor(t)
                .queryParam("from", cp)
                .get("/audit/verify/checkpoints")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true));

        // forge the checkpoint's signature
        byte[] original = (byte[]) Db.rows("SELECT signature FROM log_checkpoint WHERE id = ?", cp)
                .get(0)
                .get("signature");
        byte[] forged = original.clone();
        forged[0] ^= 1;
        setSignature(cp, forged);
        try {
            auditor(t)
                    .queryParam("from", cp)
                    .get("/audit/verify/checkpoints")
                    .then()
                    .statusCode(200)
                    .body("intact", equalTo(false))
                    .body("firstBrokenCheckpoint.id", equalTo((int) cp))
                    .body("firstBrokenCheckpoint.reason", containsString("signature"));
        } finally {
            setSignature(cp, original);
        }
        auditor(t)
                .queryParam("from", cp)
                .get("/audit/verify/checkpoints")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true));
        // SCIM scopes do not grant it
        Scim.idp(t).get("/audit/verify/checkpoints").then().statusCode(403);
    }

    /** Asks for checkpoints until one covers {@code event} (the background writer may be the one that writes it). */
    private long waitForCheckpointCovering(UUID event) {
        String covering = "SELECT coalesce(min(c.id), 0) FROM log_checkpoint c, event e WHERE e.event_id = ? "
                + "AND (c.to_tx_id, c.to_position) >= (e.tx_id, e.position)";
        return await("a checkpoint covering event " + event)
                .atMost(Duration.ofSeconds(20))
                .until(
                        () -> {
                            checkpoints.checkpointNow();
                            return Db.count(covering, event);
                        },
                        greaterThan(0L));
    }

    private static void setSignature(long id, byte[] signature) throws SQLException {
        try (Connection owner = Db.owner()) {
            owner.setAutoCommit(false);
            try (Statement st = owner.createStatement();
                    PreparedStatement ps =
                            owner.prepareStatement("UPDATE log_checkpoint SET signature = ? WHERE id = ?")) {
                st.execute("ALTER TABLE log_checkpoint DISABLE TRIGGER USER");
                ps.setBytes(1, signature);
                ps.setLong(2, id);
                assertEquals(1, ps.executeUpdate());
                st.execute("ALTER TABLE log_checkpoint ENABLE TRIGGER USER");
            }
            owner.commit();
        }
    }
}
