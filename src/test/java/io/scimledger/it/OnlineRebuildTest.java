package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.scimledger.projection.ProjectionRebuilder;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The rebuild is online: while it runs, SCIM reads and writes are answered (no error), and once it has switched, every
 * write acknowledged before or during it is visible, answering exactly as the write acknowledged it.
 *
 * <p>The window is made real by the rebuild's test hook: the rebuild holds its fold open until this test has written
 * and read through the API, and it takes its locks only while a writer is busy.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class OnlineRebuildTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The last answer each resource was acknowledged with; null once deleted. */
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();

    private final List<String> errors = new CopyOnWriteArrayList<>();

    @Test
    void readsAndWritesAreAnsweredWhileTheProjectionsAreRebuilt() throws Exception {
        String t = "online-" + UUID.randomUUID();
        // a small log before the rebuild
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            before.add(createUser(t, "before-" + i));
        }
        String group = createGroup(t, "Team");
        addMembers(t, group, before.subList(0, 5));

        CountDownLatch folding = new CountDownLatch(1);
        CountDownLatch wroteDuringFold = new CountDownLatch(1);
        AtomicInteger backgroundWrites = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        ProjectionRebuilder.pauseForTests = phase -> {
            if (phase.equals("folding")) {
                folding.countDown();
                await(wroteDuringFold);
            } else if (phase.equals("locking")) {
                // take the locks while the writer is busy: some of its writes meet the switch
                int target = backgroundWrites.get() + 3;
                while (backgroundWrites.get() < target && !stop.get()) {
                    Thread.onSpinWait();
                }
            }
        };
        try {
            Future<ExtractableResponse<Response>> rebuild = pool.submit(() -> given().auth()
                    .oauth2(Tokens.admin())
                    .post("/admin/projections/rebuild")
                    .then()
                    .extract());
            assertTrue(folding.await(60, TimeUnit.SECONDS), "the rebuild did not start its fold");
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String id = createUser(t, "background-" + i);
                    if (id != null) {
                        read(t, "/scim/v2/Users/" + id);
                    }
                    backgroundWrites.incrementAndGet();
                }
            });
            // while the fold is held open: writes of every kind, each read back at once
            List<String> during = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                during.add(createUser(t, "during-" + i));
            }
            patchUser(t, before.get(0), "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"Changed during\"}");
            patchUser(t, during.get(0), "{\"op\":\"replace\",\"path\":\"active\",\"value\":false}");
            addMembers(t, group, during.subList(0, 3));
            removeMember(t, group, before.get(1));
            deleteUser(t, before.get(2));
            deleteUser(t, during.get(1));
            String during2 = createGroup(t, "Made during");
            addMembers(t, during2, List.of(group, during.get(4)));
            for (String id : acknowledged.keySet()) {
                read(t, id);
            }
            wroteDuringFold.countDown();

            ExtractableResponse<Response> answer = rebuild.get(120, TimeUnit.SECONDS);
            stop.set(true);
            writer.get(60, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.asString());
            assertTrue(answer.<Integer>path("eventsCaughtUp") >= 20, answer.asString());
            assertEquals(
                    answer.<Integer>path("eventsReplayed").longValue(),
                    answer.<Integer>path("eventsFolded").longValue()
                            + answer.<Integer>path("eventsCaughtUp").longValue(),
                    answer.asString());
            assertTrue(answer.<Integer>path("catchUpRounds") >= 1, answer.asString());
            assertTrue(answer.path("eventsPerSecond") != null, answer.asString());
        } finally {
            stop.set(true);
            wroteDuringFold.countDown();
            ProjectionRebuilder.pauseForTests = phase -> {};
            pool.shutdownNow();
        }
        assertEquals(List.of(), errors, "error answers while the projections were rebuilt");
        assertTrue(backgroundWrites.get() > 0);

        // after the switch: every acknowledged write is there, as it was acknowledged
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            var now = Scim.idp(t).get(e.getKey()).then().extract();
            if (e.getValue().isEmpty()) {
                assertEquals(404, now.statusCode(), e.getKey() + " was deleted before the switch");
            } else {
                assertEquals(200, now.statusCode(), e.getKey());
                assertEquals(normalized(e.getValue()), normalized(now.asString()), e.getKey());
            }
        }
        // and writes go on against the new tables: a taken userName is still taken
        Scim.idp(t)
                .body("{\"userName\":\"DURING-3\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(409);
    }

    private String createUser(String t, String userName) {
        var r = Scim.idp(t)
                .body("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + userName
                        + "\",\"emails\":[{\"value\":\"" + userName + "@example.com\",\"type\":\"work\"}]}")
                .post("/scim/v2/Users")
                .then()
                .extract();
        return acknowledge(r, 201, "POST user " + userName);
    }

    private String createGroup(String t, String displayName) {
        var r = Scim.idp(t)
                .body("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"" + displayName
                        + "\"}")
                .post("/scim/v2/Groups")
                .then()
                .extract();
        return acknowledge(r, 201, "POST group " + displayName);
    }

    private void patchUser(String t, String id, String operation) {
        patch(t, "/scim/v2/Users/" + id, operation);
    }

    private void addMembers(String t, String group, List<String> members) {
        StringBuilder values = new StringBuilder();
        for (String m : members) {
            values.append(values.length() == 0 ? "" : ",")
                    .append("{\"value\":\"")
                    .append(m)
                    .append("\"}");
        }
        patch(t, "/scim/v2/Groups/" + group, "{\"op\":\"add\",\"path\":\"members\",\"value\":[" + values + "]}");
    }

    private void removeMember(String t, String group, String member) {
        patch(
                t,
                "/scim/v2/Groups/" + group,
                "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + member + "\\\"]\"}");
    }

    private void patch(String t, String path, String operation) {
        var r = Scim.idp(t)
                .body("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[" + operation
                        + "]}")
                .patch(path)
                .then()
                .extract();
        acknowledge(r, 200, "PATCH " + path);
    }

    private void deleteUser(String t, String id) {
        int status = Scim.idp(t).delete("/scim/v2/Users/" + id).then().extract().statusCode();
        if (status != 204) {
            errors.add("DELETE user " + id + ": " + status);
        } else {
            acknowledged.put("/scim/v2/Users/" + id, "");
            // the groups it was in changed too: their expected answer is read again below
            acknowledged.replaceAll((path, body) -> path.contains("/Groups/") ? reread(t, path) : body);
        }
    }

    private String reread(String t, String path) {
        return Scim.idp(t).get(path).then().extract().asString();
    }

    /** Records the acknowledged answer (by the resource's path) or the error; returns the resource's id. */
    private String acknowledge(ExtractableResponse<Response> r, int expected, String what) {
        if (r.statusCode() != expected) {
            errors.add(what + ": " + r.statusCode() + " " + r.asString());
            return null;
        }
        String id = r.path("id");
        String type = r.path("meta.resourceType");
        acknowledged.put("/scim/v2/" + type + "s/" + id, r.asString());
        return id;
    }

    /** Reads a resource and checks the answer is the acknowledged one (read-your-writes during the rebuild). */
    private void read(String t, String path) {
        var r = Scim.idp(t).get(path).then().extract();
        String expected = acknowledged.get(path);
        if (expected != null && expected.isEmpty()) {
            if (r.statusCode() != 404) {
                errors.add("GET " + path + " after its delete: " + r.statusCode());
            }
            return;
        }
        if (r.statusCode() != 200) {
            errors.add("GET " + path + ": " + r.statusCode() + " " + r.asString());
        } else if (expected != null && !normalized(expected).equals(normalized(r.asString()))) {
            errors.add("GET " + path + " answered " + r.asString() + ", acknowledged " + expected);
        }
    }

    /** The answer without what depends on other resources' writes (a user's groups), members in a fixed order. */
    private static JsonNode normalized(String body) {
        try {
            ObjectNode n = (ObjectNode) JSON.readTree(body);
            n.remove("groups");
            JsonNode members = n.get("members");
            if (members instanceof ArrayNode a) {
                List<JsonNode> sorted = new ArrayList<>();
                a.forEach(sorted::add);
                sorted.sort(Comparator.comparing(m -> m.path("value").asText()));
                a.removeAll();
                sorted.forEach(a::add);
            }
            return n;
        } catch (Exception e) {
            throw new IllegalStateException(body, e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
