package io.scimledger.publish;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.scimledger.events.StoredEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.Callback;

/**
 * How long an event took from the log to Kafka: the timer {@code scim.relay.publication.lag}, one sample per
 * published change-log record, from the event's {@code occurred_at} to the broker's acknowledgement of the record.
 *
 * <p>{@code occurred_at} is the application's clock when the event was appended, a few milliseconds before its
 * transaction commits; the commit time itself is not recorded (PostgreSQL keeps it only with
 * {@code track_commit_timestamp}), so the lag is measured from slightly before the commit and errs high. The sample
 * is taken in the producer's acknowledgement callback, so it does not include the wait for the rest of the batch.
 *
 * <p>Exported with histogram buckets ({@code _bucket}, aggregable over instances: {@code histogram_quantile(0.99,
 * ...)}) between 1 ms and 10 min, and the usual {@code _max}. An event sent again after a failed batch is sampled
 * again: that is the lag of the publication that finally counted.
 */
@ApplicationScoped
public class PublicationLag {

    private final Timer timer;

    public PublicationLag(MeterRegistry registry) {
        timer = Timer.builder("scim.relay.publication.lag")
                .description("From an event's occurred_at to the broker's acknowledgement of its record")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
    }

    /** A producer callback that samples the lag of {@code event} once the broker acknowledged its record. */
    Callback onAcknowledged(StoredEvent event) {
        Instant occurred = event.occurredAt();
        return (metadata, failure) -> {
            if (failure == null) {
                Duration lag = Duration.between(occurred, Instant.now());
                // never negative: the appending instance's clock may run a little ahead of this one's
                timer.record(lag.isNegative() ? Duration.ZERO : lag);
            }
        };
    }
}
