package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Every committed event reaches a real Kafka broker, in order and exactly once, even across an outage; the records
 * are CloudEvents; the state topic compacts to the latest user; only one relay holds the subscription.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class KafkaRelayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesSucceedWhileKafkaIsDownAndAllArriveInOrderAfterwards() throws Exception {
        String t = "outage-" + UUID.randomUUID();
        KafkaTestResource.broker().stop();
        int writes = 0;
        try {
            List<String> users = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                users.add(Scim.createUser(t, "outage" + i));
                writes++;
            }
            for (int round = 0; round < 9; round++) {
                for (String u : users) {
                    Scim.patch(
                                    t,
                                    "/scim/v2/Users/" + u,
                                    "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"r" + round + "\"}]")
                            .statusCode(200);
                    writes++;
                }
            }
        } finally {
            KafkaTestResource.broker().start();
        }
        assertEquals(500, writes);
        List<Topics.Published> received = Topics.consume(t, 500, Duration.ofSeconds(120));
        Map<String, Topics.Published> unique = new HashMap<>();
        Map<String, Long> lastVersion = new HashMap<>();
        for (Topics.Published p : received) {
            if (unique.putIfAbsent(p.ceId(), p) != null) {
                continue; // at-least-once: a redelivered event is recognised by its id
            }
            long prev = lastVersion.getOrDefault(p.subject(), 0L);
            assertEquals(prev + 1, p.version(), "events of " + p.subject() + " arrive in version order, no gaps");
            lastVersion.put(p.subject(), p.version());
        }
        assertEquals(500, unique.size());
        assertEquals(50, lastVersion.size());
        lastVersion.values().forEach(v -> assertEquals(10L, v));
    }

    @Test
    void concurrentWritersEveryCommittedEventIsPublishedExactlyOnce() throws Exception {
        String t = "burst-" + UUID.randomUUID();
        int writers = 8;
        int perWriter = 260;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    String u = Scim.createUser(t, "writer" + writer);
                    for (int i = 1; i < perWriter; i++) {
                        Scim.patch(
                                        t,
                                        "/scim/v2/Users/" + u,
                                        "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"w" + i + "\"}]")
                                .statusCode(200);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        long committed = Db.eventCount(t);
        assertEquals((long) writers * perWriter, committed);
        Topics.awaitRelayPast(t, Duration.ofSeconds(120));
        List<Topics.Published> received = Topics.readToEnd(t);
        Map<String, Integer> copies = new HashMap<>();
        received.forEach(p -> copies.merge(p.ceId(), 1, Integer::sum));
        var ids = Db.rows("SELECT event_id::text AS id FROM event WHERE tenant_id = ? AND stream_type <> 'Tenant'", t);
        for (var row : ids) {
            assertEquals(
                    1,
                    copies.getOrDefault((String) row.get("id"), 0),
                    "published exactly once: " + row.get("id")
                            + " (copies at "
                            + received.stream()
                                    .filter(p -> p.ceId().equals(row.get("id")))
                                    .map(Topics.Published::where)
                                    .toList()
                            + ")");
        }
        assertEquals(ids.size(), copies.size(), "nothing published that was not committed");
    }

    /**
     * Consumers can rebuild the same history from the topic: a consumer that sees only the changelog
     * derives, per event, its id, version, time, who asked and the attribute changes (by diffing the full resources);
     * that must equal what the audit API answers from the log.
     */
    @Test
    void aConsumerRebuildsAUsersAuditHistoryFromTheChangelog() throws Exception {
        String t = "replay-" + UUID.randomUUID();
        String u = Scim.createUser(t, "replayed");
        Scim.patch(t, "/scim/v2/Users/" + u, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Engineer\"}]")
                .statusCode(200);
        Scim.patch(
                        t,
                        "/scim/v2/Users/" + u,
                        "[{\"op\":\"replace\",\"path\":\"name.familyName\",\"value\":\"Renamed\"},"
                                + "{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]")
                .statusCode(200);
        Scim.idp(t)
                .header("X-Request-Id", "replay-delete-1")
                .delete("/scim/v2/Users/" + u)
                .then()
                .statusCode(204);
        Topics.awaitRelayPast(t, Duration.ofSeconds(60));

        List<String> fromTopic = new ArrayList<>();
        JsonNode previous = null;
        for (Topics.Published p : Topics.readToEnd(t).stream()
                .filter(p -> p.subject().equals("/Users/" + u))
                .sorted(Comparator.comparingLong(Topics.Published::version))
                .toList()) {
            JsonNode resource = p.type().endsWith(":delete") ? null : JSON.readTree(p.body());
            Map<String, String> h = p.headers();
            for (String name : List.of("ce_time", "ce_actorsubject", "ce_actorclientid", "ce_requestid")) {
                assertNotNull(h.get(name), name + " on " + p.where());
            }
            fromTopic.add(String.join(
                    " | ",
                    p.ceId(),
                    "v" + p.version(),
                    h.get("ce_time"),
                    h.get("ce_actorsubject"),
                    h.get("ce_actorclientid"),
                    h.get("ce_requestid"),
                    diff(previous, resource).toString()));
            previous = resource;
        }

        String body = given().auth()
                .oauth2(Tokens.token(t, "auditor", Scopes.AUDIT_READ))
                .accept("application/json")
                .get("/audit/Users/" + u + "/history")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        List<String> fromLog = new ArrayList<>();
        for (JsonNode e : JSON.readTree(body).path("events")) {
            List<String> changes = new ArrayList<>();
            e.path("changes")
                    .forEach(c -> changes.add(
                            c.path("attribute").asText() + ": " + c.path("before") + " -> " + c.path("after")));
            fromLog.add(String.join(
                    " | ",
                    e.path("eventId").asText(),
                    "v" + e.path("version").asLong(),
                    e.path("occurredAt").asText(),
                    e.path("actor").path("subject").asText(),
                    e.path("actor").path("clientId").asText(),
                    e.path("requestId").asText(),
                    changes.toString()));
        }
        assertEquals(4, fromLog.size(), body);
        assertTrue(fromLog.get(3).contains("replay-delete-1"), fromLog.get(3));
        assertEquals(fromLog, fromTopic);
    }

    /** The audit API's before/after per attribute, computed by a consumer from two consecutive full resources. */
    private static List<String> diff(JsonNode before, JsonNode after) {
        Map<String, JsonNode> b = flatten(before);
        Map<String, JsonNode> a = flatten(after);
        TreeMap<String, Boolean> names = new TreeMap<>();
        b.keySet().forEach(k -> names.put(k, true));
        a.keySet().forEach(k -> names.put(k, true));
        List<String> out = new ArrayList<>();
        for (String name : names.keySet()) {
            JsonNode bv = b.getOrDefault(name, NullNode.getInstance());
            JsonNode av = a.getOrDefault(name, NullNode.getInstance());
            if (!bv.equals(av)) {
                out.add(name + ": " + bv + " -> " + av);
            }
        }
        return out;
    }

    private static Map<String, JsonNode> flatten(JsonNode resource) {
        Map<String, JsonNode> out = new TreeMap<>();
        if (resource == null) {
            return out;
        }
        resource.fields().forEachRemaining(f -> {
            String key = f.getKey();
            JsonNode v = f.getValue();
            if (List.of("schemas", "id", "meta").contains(key) || v.isNull()) {
                return;
            }
            if (v.isObject() && v.size() > 0) {
                String separator = key.startsWith("urn:") ? ":" : ".";
                v.fields().forEachRemaining(sub -> {
                    if (!sub.getValue().isNull()) {
                        out.put(key + separator + sub.getKey(), sub.getValue());
                    }
                });
            } else {
                out.put(key, v);
            }
        });
        return out;
    }

    @Test
    void recordsAreCloudEventsInBinaryModeKeyedByResourceId() throws Exception {
        String t = "format-" + UUID.randomUUID();
        String u = Scim.createUser(t, "formatted");
        Scim.patch(t, "/scim/v2/Users/" + u, "[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]")
                .statusCode(200);
        String g = Scim.createGroup(t, "Formatted");
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u
                                + "\",\"display\":\"Formatted Member\"}]}]")
                .statusCode(200);
        Scim.idp(t).delete("/scim/v2/Users/" + u).then().statusCode(204);
        List<Topics.Published> got = Topics.consume(t, 6, Duration.ofSeconds(60));
        Map<String, List<Topics.Published>> bySubject = new HashMap<>();
        got.forEach(p ->
                bySubject.computeIfAbsent(p.subject(), k -> new ArrayList<>()).add(p));
        List<Topics.Published> user = bySubject.get("/Users/" + u);
        assertEquals(u, user.get(0).key());
        assertEquals("urn:ietf:params:scim:event:prov:create:full", user.get(0).type());
        assertTrue(
                user.get(0).body().contains("formatted@example.com"),
                "full events carry the resource: " + user.get(0).body());
        assertEquals("urn:ietf:params:scim:event:prov:deactivate", user.get(1).type());
        assertEquals("urn:ietf:params:scim:event:prov:delete", user.get(2).type());
        List<Topics.Published> group = bySubject.get("/Groups/" + g);
        assertEquals("urn:ietf:params:scim:event:prov:create:full", group.get(0).type());
        assertEquals(
                "urn:ietf:params:scim:event:prov:patch:notice", group.get(1).type());
        assertTrue(
                group.get(1).body().contains("\"membersAdded\""), group.get(1).body());
        // the display is sealed under the member's key in the log; the relay opens it with that key
        assertTrue(
                group.get(1).body().contains("\"display\":\"Formatted Member\""),
                group.get(1).body());
        assertFalse(group.get(1).body().contains("$enc"), group.get(1).body());
        assertEquals(
                "urn:ietf:params:scim:event:prov:patch:notice", group.get(2).type(), "removal on user deletion");
    }

    @Test
    void theCompactedStateTopicHoldsTheLatestUserAndATombstoneOnDeletion() {
        String t = "state-" + UUID.randomUUID();
        String kept = Scim.createUser(t, "kept");
        Scim.patch(t, "/scim/v2/Users/" + kept, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Latest\"}]")
                .statusCode(200);
        String gone = Scim.createUser(t, "gone");
        Scim.idp(t).delete("/scim/v2/Users/" + gone).then().statusCode(204);
        // the latest record of each user is the one after its last event (version 2 for both)
        Map<String, Topics.Published> latest = Topics.awaitLatestState(
                t, m -> versionOf(m.get(kept)) == 2 && versionOf(m.get(gone)) == 2, Duration.ofSeconds(60));
        assertTrue(latest.get(kept).body().contains("Latest"), latest.get(kept).body());
        assertNull(
                latest.get(kept).headers().get("ce_actorsubject"),
                "who asked is on the changelog, not the state topic");
        assertNull(latest.get(gone).body(), "a deleted user leaves a tombstone");
    }

    private static long versionOf(Topics.Published p) {
        return p == null ? 0 : p.version();
    }

    @Test
    void exactlyOneRelayHoldsTheSubscription() throws Exception {
        given().auth()
                .oauth2(Tokens.admin())
                .get("/admin/relay")
                .then()
                .statusCode(200)
                .body("activeHere", equalTo(true))
                .body("subscriptions[0].subscription", equalTo("kafka-changelog"));
        // Another instance would try this lock; while ours publishes, it cannot get it.
        var r = Db.rows(
                "SELECT pg_try_advisory_lock(hashtext('scim-ledger-relay'), hashtext('kafka-changelog')) AS got");
        assertFalse((Boolean) r.get(0).get("got"));
    }
}
