package io.scimledger.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Issue 9, item 3: /q/metrics moves with real writes, and readiness carries the relay's state. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class MetricsAndReadinessTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aWriteMovesTheEventAndRelayCountersAndTheHttpMetricIsTemplated() {
        double createdBefore = value(scrape(), "scim_events_appended_total", "type=\"UserCreated\"");
        double publishedBefore = value(scrape(), "scim_relay_published_total", "");

        String id = Scim.createUser("metrics", "metrics-user");
        Scim.idp("metrics").get("/scim/v2/Users/" + id).then().statusCode(200);
        Scim.idp("metrics")
                .get("/scim/v2/Users/" + java.util.UUID.randomUUID())
                .then()
                .statusCode(404);

        awaitTrue(
                "UserCreated counted",
                () -> value(scrape(), "scim_events_appended_total", "type=\"UserCreated\"") >= createdBefore + 1);
        awaitTrue(
                "the relay's publication counted",
                () -> value(scrape(), "scim_relay_published_total", "") >= publishedBefore + 1);
        // the publication's lag is sampled in the acknowledgement callback, with buckets usable for a p99
        awaitTrue(
                "the publication lag sampled",
                () -> value(scrape(), "scim_relay_publication_lag_seconds_count", "") >= 1);
        assertTrue(
                value(scrape(), "scim_relay_publication_lag_seconds_bucket", "le=\"+Inf\"") >= 1,
                "scim_relay_publication_lag_seconds has histogram buckets");

        String text = scrape();
        List<String> http = text.lines()
                .filter(l -> l.startsWith("http_server_requests_seconds_count"))
                .toList();
        assertTrue(
                value(
                                text,
                                "http_server_requests_seconds_count",
                                "uri=\"/scim/v2/Users/{id}\"",
                                "status=\"200\"",
                                "method=\"GET\"")
                        >= 1,
                "GET by id, 200: " + http);
        assertTrue(
                value(text, "http_server_requests_seconds_count", "uri=\"/scim/v2/Users/{id}\"", "status=\"404\"") >= 1,
                "GET by id, 404");
        assertTrue(
                value(
                                text,
                                "http_server_requests_seconds_count",
                                "uri=\"/scim/v2/Users\"",
                                "status=\"201\"",
                                "method=\"POST\"")
                        >= 1,
                "POST, 201");
        assertFalse(text.contains(id), "a resource id appears in the metrics: URIs must be templated");
        assertFalse(text.contains("tenant=\""), "tenants are not a metric tag");
        for (String name : List.of(
                "scim_write_conflicts_total",
                "scim_write_retries_total",
                "scim_write_conflicts_exhausted_total",
                "scim_relay_lag_events",
                "scim_relay_lag_seconds",
                "scim_relay_failures_total",
                "scim_relay_active",
                "scim_audit_checkpoint_age_seconds")) {
            assertTrue(Pattern.compile("(?m)^" + name + "[ {]").matcher(text).find(), name + " is exported");
        }
    }

    @Test
    void connectionPoolUseIsExported() {
        String text = scrape();
        for (String name : List.of("sql_pool_active", "sql_pool_idle", "sql_pool_queue_size")) {
            assertTrue(
                    Pattern.compile("(?m)^" + name + "\\{[^\\n]*pool_type=\"sql\"")
                            .matcher(text)
                            .find(),
                    name + " missing: the reactive PostgreSQL pool is not measured");
        }
    }

    @Test
    void readinessIsUpAndCarriesTheRelayState() {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Kafka relay"))
                .body("checks.find { it.name == 'Kafka relay' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'Kafka relay' }.data.state", isOneOf("publishing", "standby"))
                .body("checks.find { it.name == 'Kafka relay' }.data.lagEvents", notNullValue())
                .body("checks.find { it.name == 'Kafka relay' }.data.failuresHere", notNullValue());
    }

    @Test
    void relayStateDecision() {
        Duration limit = Duration.ofMinutes(1);
        assertEquals("disabled", RelayReadiness.state(false, false, 500, limit));
        assertEquals("publishing", RelayReadiness.state(true, true, 0.2, limit));
        assertEquals("standby", RelayReadiness.state(true, false, 0, limit));
        assertEquals("degraded", RelayReadiness.state(true, true, 61, limit));
        assertEquals("degraded", RelayReadiness.state(true, false, 3600, limit));
    }

    static String scrape() {
        return given().accept("text/plain")
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }

    /** Sum of every sample of {@code metric} whose labels contain all of {@code labels}; 0 when there is none. */
    static double value(String text, String metric, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{.*\\})? (\\S+)$")
                .matcher(text);
        double sum = 0;
        while (m.find()) {
            String found = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String l : labels) {
                all &= found.contains(l);
            }
            if (all) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
