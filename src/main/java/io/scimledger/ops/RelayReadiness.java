package io.scimledger.ops;

import io.scimledger.publish.KafkaRelay;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The Kafka relay in {@code /q/health/ready}. Always UP: writes never wait for Kafka, so a broker outage must not
 * take instances out of the load balancer. Its data says whether events reach Kafka: {@code degraded} when the
 * oldest event not yet on Kafka is older than {@code scim.ops.relay-degraded-after} (on every instance, whichever
 * holds the relay).
 */
@Readiness
@ApplicationScoped
public class RelayReadiness implements HealthCheck {

    private final KafkaRelay relay;
    private final LogGauges gauges;
    private final Duration degradedAfter;

    public RelayReadiness(
            KafkaRelay relay,
            LogGauges gauges,
            @ConfigProperty(name = "scim.ops.relay-degraded-after") Duration degradedAfter) {
        this.relay = relay;
        this.gauges = gauges;
        this.degradedAfter = degradedAfter;
    }

    @Override
    public HealthCheckResponse call() {
        LogGauges.Sample s = gauges.last();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("Kafka relay")
                .up()
                .withData("state", state(relay.isEnabled(), relay.isActive(), s.lagSeconds(), degradedAfter))
                .withData("publishingHere", relay.isActive())
                .withData("lagEvents", s.lagEvents())
                .withData("lagSeconds", Math.round(s.lagSeconds()))
                .withData("failuresHere", relay.failures());
        relay.lastFailure().ifPresent(f -> b.withData("lastFailureHere", f));
        return b.build();
    }

    /** Pure decision, separated for tests. */
    static String state(boolean enabled, boolean activeHere, double lagSeconds, Duration degradedAfter) {
        if (!enabled) {
            return "disabled";
        }
        if (lagSeconds * 1000 > degradedAfter.toMillis()) {
            return "degraded";
        }
        return activeHere ? "publishing" : "standby";
    }
}
