package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static io.scimledger.db.Database.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.scimledger.db.Database;
import io.scimledger.projection.ProjectionRebuilder;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.inject.Inject;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A rebuild's switch gets past an autovacuum of a live projection table. PostgreSQL cancels an autovacuum only for a
 * lock request that has waited deadlock_timeout; the switch's usual 100 ms waits never do, so a long autovacuum
 * (the tables a rebuild swaps in are vacuumed soon after) used to outlast every attempt and fail the next rebuild.
 *
 * <p>The autovacuum is played by a session that holds SHARE UPDATE EXCLUSIVE on group_membership (autovacuum's
 * lock) and lets go exactly when PostgreSQL would cancel a real one: once an ACCESS EXCLUSIVE request on the table
 * has waited longer than deadlock_timeout. While the switch waits that long it must hold no other table: a writer
 * queued behind one could otherwise close a deadlock cycle and be the one PostgreSQL aborts.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class RebuildBehindVacuumTest {

    @Inject
    Database db;

    @Test
    void theSwitchWaitsLongEnoughForPostgresqlToCancelAnAutovacuumInItsWay() throws Exception {
        String t = "vacuum-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            Scim.idp(t)
                    .body("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"v" + i + "\"}")
                    .post("/scim/v2/Users")
                    .then()
                    .statusCode(201);
        }
        CountDownLatch holding = new CountDownLatch(1);
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicBoolean heldOthersWhileWaiting = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<?> vacuum = pool.submit(() -> {
            SqlConnection conn = db.connect();
            try {
                query(conn, "BEGIN");
                query(conn, "LOCK TABLE public.group_membership IN SHARE UPDATE EXCLUSIVE MODE");
                holding.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!stop.get() && System.nanoTime() < deadline) {
                    var waiter = query(
                                    conn,
                                    "SELECT w.pid, (SELECT count(*) FROM pg_locks o WHERE o.pid = w.pid AND o.granted"
                                            + " AND o.locktype = 'relation' AND o.mode = 'AccessExclusiveLock') AS held"
                                            + " FROM pg_locks w WHERE w.relation = 'public.group_membership'::regclass"
                                            + " AND NOT w.granted AND w.mode = 'AccessExclusiveLock' AND w.waitstart"
                                            + " < clock_timestamp() - current_setting('deadlock_timeout')::interval")
                            .iterator();
                    if (waiter.hasNext()) {
                        heldOthersWhileWaiting.set(waiter.next().getLong("held") > 0);
                        cancelled.set(true);
                        break;
                    }
                    Thread.sleep(20);
                }
                query(conn, "ROLLBACK");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                conn.closeAndAwait();
            }
            return null;
        });
        ProjectionRebuilder.pauseForTests = phase -> {
            if (phase.equals("locking")) {
                try {
                    assertTrue(holding.await(30, TimeUnit.SECONDS), "the stand-in autovacuum did not take its lock");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try {
            ExtractableResponse<Response> answer = given().auth()
                    .oauth2(Tokens.admin())
                    .post("/admin/projections/rebuild")
                    .then()
                    .extract();
            assertEquals(200, answer.statusCode(), answer.asString());
            assertTrue(cancelled.get(), "the switch got its locks without outwaiting the autovacuum");
            assertFalse(heldOthersWhileWaiting.get(), "the switch held other tables while it outwaited the vacuum");
            assertEquals(
                    3,
                    Scim.idp(t).get("/scim/v2/Users?count=0").then().extract().<Integer>path("totalResults"));
        } finally {
            stop.set(true);
            ProjectionRebuilder.pauseForTests = phase -> {};
            vacuum.get(90, TimeUnit.SECONDS);
            pool.shutdownNow();
        }
    }
}
