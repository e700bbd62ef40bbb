package io.scimledger.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.scimledger.events.EventType;
import io.scimledger.events.StoredEvent;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Counters of the write path (docs/operations.md, "Metrics"). Tags are bounded on purpose: event type and stream
 * type come from enums; tenants are never a tag (their number is not bounded).
 */
@ApplicationScoped
public class WriteMetrics {

    private final Map<EventType, Counter> appended = new EnumMap<>(EventType.class);
    private final Counter conflicts;
    private final Counter retries;
    private final Counter exhausted;

    public WriteMetrics(MeterRegistry registry) {
        for (EventType type : EventType.values()) {
            appended.put(
                    type,
                    Counter.builder("scim.events.appended")
                            .description("Events committed to the log, by event type")
                            .tag("type", type.name())
                            .register(registry));
        }
        conflicts = Counter.builder("scim.write.conflicts")
                .description("Write transactions that lost a race for a stream version")
                .register(registry);
        retries = Counter.builder("scim.write.retries")
                .description("Write transactions started again after a conflict")
                .register(registry);
        exhausted = Counter.builder("scim.write.conflicts.exhausted")
                .description("Writes answered 503 after too many conflicting attempts")
                .register(registry);
    }

    /**
     * Counts {@code events} once their transaction commits (a rolled-back attempt, e.g. a conflict that is retried,
     * appended nothing). Without a transaction the insert is already durable.
     */
    public void appended(SqlConnection conn, List<StoredEvent> events) {
        Transaction tx = conn.transaction();
        if (tx == null) {
            count(events);
            return;
        }
        tx.completion().subscribe().with(committed -> count(events), rolledBack -> {});
    }

    private void count(List<StoredEvent> events) {
        for (StoredEvent e : events) {
            appended.get(e.type()).increment();
        }
    }

    public void conflict() {
        conflicts.increment();
    }

    public void retry() {
        retries.increment();
    }

    public void gaveUp() {
        exhausted.increment();
    }
}
