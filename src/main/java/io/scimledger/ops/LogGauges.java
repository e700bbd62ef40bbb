package io.scimledger.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scimledger.db.Database;
import io.scimledger.db.SchemaMigrations;
import io.scimledger.events.CommitOrderReader;
import io.scimledger.publish.KafkaRelay;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Gauges over the log's own tables, sampled in the background every {@code scim.ops.sample-interval}: how far the
 * Kafka relay is behind (events, and the age of the oldest event not yet on Kafka), how many it published, and how
 * old the newest signed checkpoint is. Sampled rather than queried at scrape time because a scrape runs on an
 * event-loop thread, which must not wait for PostgreSQL. Every instance reports the same log-wide values.
 */
@ApplicationScoped
public class LogGauges {

    private static final Logger LOG = Logger.getLogger(LogGauges.class);

    private final Database db;
    private final CommitOrderReader log;
    private final KafkaRelay relay;
    private final Duration interval;
    private ScheduledExecutorService sampler;

    private volatile Sample last = Sample.NONE;

    /** One sample of the log; NaN where there is nothing to measure (no checkpoint yet). */
    public record Sample(
            long published, long lagEvents, double lagSeconds, double checkpointAgeSeconds, long takenAtMillis) {
        static final Sample NONE = new Sample(0, 0, 0, Double.NaN, 0);
    }

    public LogGauges(
            Database db,
            CommitOrderReader log,
            KafkaRelay relay,
            MeterRegistry registry,
            @ConfigProperty(name = "scim.ops.sample-interval") Duration interval) {
        this.db = db;
        this.log = log;
        this.relay = relay;
        this.interval = interval;
        Gauge.builder("scim.relay.lag.events", this, g -> g.last.lagEvents())
                .description("Events in the log not yet acknowledged by Kafka")
                .register(registry);
        Gauge.builder("scim.relay.lag.seconds", this, g -> g.last.lagSeconds())
                .description("Age of the oldest event not yet on Kafka (0 when caught up)")
                .baseUnit("seconds")
                .register(registry);
        FunctionCounter.builder("scim.relay.published", this, g -> g.last.published())
                .description("Events the relay published, over all instances (rate() gives the publish rate)")
                .register(registry);
        FunctionCounter.builder("scim.relay.failures", relay, KafkaRelay::failures)
                .description("Publishing attempts that failed on this instance (the relay retries)")
                .register(registry);
        Gauge.builder("scim.relay.active", relay, r -> r.isActive() ? 1 : 0)
                .description("1 on the instance that holds the relay lock and publishes, 0 on standbys")
                .register(registry);
        Gauge.builder("scim.audit.checkpoint.age", this, g -> g.last.checkpointAgeSeconds())
                .description("Age of the newest signed checkpoint (NaN before the first)")
                .baseUnit("seconds")
                .register(registry);
    }

    void onStart(@Observes StartupEvent event, SchemaMigrations migrations) {
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ops-log-gauges");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::sampleQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    public Sample last() {
        return last;
    }

    private void sampleQuietly() {
        try {
            last = db.withConnection(conn -> {
                CommitOrderReader.RelayLag r = log.relayLagAllTenants(conn, relay.subscription());
                return new Sample(
                        r.published(),
                        r.lagEvents(),
                        r.lagSeconds() == null ? 0 : r.lagSeconds(),
                        r.checkpointAgeSeconds() == null ? Double.NaN : r.checkpointAgeSeconds(),
                        System.currentTimeMillis());
            });
        } catch (RuntimeException e) {
            // The database health check reports the outage; the gauges keep their last values meanwhile.
            LOG.debugf("log gauges not sampled: %s", e.getMessage());
        }
    }
}
