package io.scimledger.it;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Concurrent writes to one resource never lose an update and are recorded in version order. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class ConcurrencyTest {

    @Test
    void concurrentMemberAddsToOneGroupAllLand() throws Exception {
        String t = "conc-" + UUID.randomUUID();
        String g = Scim.createGroup(t, "Hot group");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            users.add(Scim.createUser(t, "member" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (String u : users) {
                results.add(pool.submit(() -> Scim.patch(
                                t,
                                "/scim/v2/Groups/" + g + "?excludedAttributes=members",
                                "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                        .extract()
                        .statusCode()));
            }
            for (Future<Integer> f : results) {
                assertEquals(200, f.get());
            }
        } finally {
            pool.shutdown();
        }
        Scim.idp(t)
                .get("/scim/v2/Groups/" + g)
                .then()
                .body("members.size()", equalTo(24))
                .body("meta.version", equalTo("W/\"25\""));
        assertEquals(25, Db.count("SELECT count(*) FROM event WHERE stream_id = ?::uuid", g));
    }

    @Test
    void concurrentPatchesOfOneUserAreAllRecordedInVersionOrder() throws Exception {
        String t = "conc-" + UUID.randomUUID();
        String u = Scim.createUser(t, "contended");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String value = "title-" + i;
                results.add(pool.submit(() -> Scim.patch(
                                t,
                                "/scim/v2/Users/" + u,
                                "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"" + value + "\"}]")
                        .extract()
                        .statusCode()));
            }
            for (Future<Integer> f : results) {
                assertEquals(200, f.get());
            }
        } finally {
            pool.shutdown();
        }
        Scim.idp(t).get("/scim/v2/Users/" + u).then().body("meta.version", equalTo("W/\"17\""));
        var versions = Db.rows("SELECT stream_version FROM event WHERE stream_id = ?::uuid ORDER BY position", u);
        for (int i = 0; i < versions.size(); i++) {
            assertEquals((long) i + 1, ((Number) versions.get(i).get("stream_version")).longValue());
        }
    }
}
