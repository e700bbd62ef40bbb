package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.audit.CheckpointWriter;
import io.scimledger.publish.KafkaRelay;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The log's commit order, (tx_id, position), is numeric in the transaction id everywhere it is used: by the Kafka
 * relay and by the signed checkpoints (docs/decisions/0002-ordering.md).
 *
 * <p>Regression: both once sorted by the text form of tx_id (an output alias shadowed the column in ORDER BY), so
 * a batch that spanned a change in the number of digits (999 → 1000) came out of order: the relay re-sent part of
 * it and could publish a resource's events out of version order, and a checkpoint counted events outside its range
 * and then failed its own verification. Here the writes get transaction ids on both sides of a power of ten and
 * are read by one relay batch and covered by one checkpoint.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class CommitOrderTest {

    @Inject
    KafkaRelay relay;

    @Inject
    CheckpointWriter checkpoints;

    @Test
    void eventsSpanningAPowerOfTenInTransactionIdsArePublishedOnceInOrderAndCheckpointedVerifiably() throws Exception {
        String t = "digits-" + UUID.randomUUID();
        long power;
        List<String> users = new ArrayList<>();
        relay.stop(); // the writes below then reach the relay as one batch
        try (Connection holder = Db.owner();
                Statement st = holder.createStatement()) {
            // Hold the checkpoint writers' lock, so that one checkpoint covers all of the writes below. (It takes
            // no transaction id, so it does not hold back the relay's xmin fence.)
            holder.setAutoCommit(false);
            st.execute("SELECT pg_advisory_xact_lock(hashtext('scim-ledger-checkpoint'))");
            power = Db.advanceTransactionIdsToJustBelowPowerOfTen(3);
            for (int i = 0; i < 3; i++) {
                users.add(Scim.createUser(t, "digits" + i));
            }
            for (String u : users) { // version 2 of each user, in transactions after its creation
                Scim.patch(t, "/scim/v2/Users/" + u, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"v2\"}]")
                        .statusCode(200);
            }
            holder.commit();
        } finally {
            relay.start();
        }
        long below = Db.count("SELECT count(*) FROM event WHERE tenant_id = ? AND tx_id::text::numeric < ?", t, power);
        assertTrue(
                below > 0 && below < 6,
                "setup: the 6 events have transaction ids on both sides of " + power + " (" + below + " below)");

        // Kafka: every event exactly once, each user's events in version order.
        Topics.awaitRelayPast(t, Duration.ofSeconds(60));
        List<Topics.Published> received = Topics.readToEnd(t);
        assertEquals(
                6,
                received.size(),
                "6 events, each published once: "
                        + received.stream()
                                .map(p -> p.subject() + " v" + p.version() + " at " + p.where())
                                .toList());
        Map<String, Long> lastVersion = new HashMap<>();
        for (Topics.Published p : received) {
            assertEquals(lastVersion.getOrDefault(p.subject(), 0L) + 1, p.version(), "version order of " + p.subject());
            lastVersion.put(p.subject(), p.version());
        }

        // Checkpoints: one covers all six, counts exactly the events in its range, and verifies. The background
        // writer (every second in tests) may be the one that writes it, so wait for coverage rather than for our call.
        String uncovered = "SELECT count(*) FROM event e WHERE e.tenant_id = ? AND NOT EXISTS (SELECT 1 FROM "
                + "log_checkpoint c WHERE (e.tx_id, e.position) > (c.from_tx_id, c.from_position) "
                + "AND (e.tx_id, e.position) <= (c.to_tx_id, c.to_position))";
        await("a checkpoint covers the six events")
                .atMost(Duration.ofSeconds(30))
                .until(
                        () -> {
                            checkpoints.checkpointNow();
                            return Db.count(uncovered, t);
                        },
                        equalTo(0L));
        String covering = "SELECT DISTINCT c.id, c.event_count FROM log_checkpoint c JOIN event e "
                + "ON (e.tx_id, e.position) > (c.from_tx_id, c.from_position) "
                + "AND (e.tx_id, e.position) <= (c.to_tx_id, c.to_position) WHERE e.tenant_id = ?";
        var cps = Db.rows(covering, t);
        assertEquals(1, cps.size(), "one checkpoint covers the six events: " + cps);
        long id = ((Number) cps.get(0).get("id")).longValue();
        long inRange = Db.count(
                "SELECT count(*) FROM log_checkpoint c JOIN event e "
                        + "ON (e.tx_id, e.position) > (c.from_tx_id, c.from_position) "
                        + "AND (e.tx_id, e.position) <= (c.to_tx_id, c.to_position) WHERE c.id = ?",
                id);
        assertEquals(
                inRange,
                ((Number) cps.get(0).get("event_count")).longValue(),
                "the checkpoint counts exactly the events in its range");
        given().auth()
                .oauth2(Tokens.token(t, "auditor", Scopes.AUDIT_READ))
                .accept("application/json")
                .queryParam("from", id)
                .get("/audit/verify/checkpoints")
                .then()
                .statusCode(200)
                .body("intact", equalTo(true));
    }
}
