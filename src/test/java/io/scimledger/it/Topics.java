package io.scimledger.it;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scimledger.testinfra.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads the SCIM topics the way a downstream consumer does, for assertions on what the relay published. Every read
 * goes through {@link TopicReader} (from the beginning, no consumer group) and every wait through Awaitility.
 */
final class Topics {

    /** How long one broker fetch may block; the waits around it decide how long to keep trying. */
    private static final Duration FETCH = Duration.ofMillis(200);

    /**
     * One consumed record, reduced to what the assertions need; {@code where} is topic/partition@offset,
     * {@code headers} holds every header by name and {@code body} is null for a tombstone.
     */
    record Published(
            String key,
            String ceId,
            String subject,
            long version,
            String type,
            String ledgerEvent,
            String body,
            String where,
            Map<String, String> headers) {}

    private Topics() {}

    /** Waits until {@code expected} distinct changelog events of the tenant have arrived; returns every copy read. */
    static List<Published> consume(String tenant, int expected, Duration timeout) {
        try (KafkaConsumer<String, byte[]> consumer = changelogs()) {
            List<Published> out = new ArrayList<>();
            Set<String> distinct = new HashSet<>();
            await("distinct events of " + tenant + " on the changelogs")
                    .atMost(timeout)
                    .pollInSameThread()
                    .until(() -> {
                        poll(consumer, tenant).forEach(p -> {
                            out.add(p);
                            distinct.add(p.ceId());
                        });
                        return distinct.size() >= expected;
                    });
            assertEquals(expected, distinct.size(), "distinct events received for " + tenant);
            return out;
        }
    }

    /**
     * Every changelog record of the tenant up to the current end of each partition. Call it after
     * {@link #awaitRelayPast}: then everything the relay will ever send for those events, duplicates included, is
     * already in the topics.
     */
    static List<Published> readToEnd(String tenant) {
        try (KafkaConsumer<String, byte[]> consumer = changelogs()) {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            List<Published> out = new ArrayList<>();
            await("the changelogs read to their end offsets " + end)
                    .atMost(Duration.ofSeconds(60))
                    .pollInSameThread()
                    .until(() -> {
                        out.addAll(poll(consumer, tenant));
                        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                    });
            return out;
        }
    }

    /**
     * Reads the compacted users' state topic until {@code done} holds for the latest record of each of the tenant's
     * users (by key, i.e. user id); returns those latest records.
     */
    static Map<String, Published> awaitLatestState(
            String tenant, Predicate<Map<String, Published>> done, Duration timeout) {
        try (KafkaConsumer<String, byte[]> consumer =
                TopicReader.fromBeginning(bootstrapServers(), List.of(TopicReader.USERS_STATE))) {
            Map<String, Published> latest = new HashMap<>();
            await("the state topic's latest records of " + tenant)
                    .atMost(timeout)
                    .pollInSameThread()
                    .until(() -> {
                        poll(consumer, tenant).forEach(p -> latest.put(p.key(), p));
                        return done.test(latest);
                    });
            return latest;
        }
    }

    /**
     * Waits until the relay's checkpoint has passed every provisioning event of the tenant (the broker acknowledged
     * them all); the tenant's own administration stream goes to another topic.
     */
    static void awaitRelayPast(String tenant, Duration timeout) {
        String subscription = ConfigProvider.getConfig().getValue("scim.publish.subscription", String.class);
        // Counts the tenant's events at or behind the checkpoint; without a checkpoint row the count is 0 and the
        // wait goes on (a missing row must not read as "caught up").
        String passed = "SELECT count(*) FROM event e, relay_checkpoint r WHERE r.subscription = ? "
                + "AND e.tenant_id = ? AND e.stream_type <> 'Tenant' "
                + "AND (e.tx_id, e.position) <= (r.last_tx_id, r.last_position)";
        long total = Db.eventCount(tenant);
        await("the relay passes the " + total + " events of " + tenant)
                .atMost(timeout)
                .until(() -> Db.count(passed, subscription, tenant), equalTo(total));
    }

    private static KafkaConsumer<String, byte[]> changelogs() {
        return TopicReader.fromBeginning(bootstrapServers(), TopicReader.CHANGELOGS);
    }

    private static String bootstrapServers() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static List<Published> poll(KafkaConsumer<String, byte[]> consumer, String tenant) {
        List<Published> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(FETCH)) {
            if (tenant.equals(TopicReader.header(rec, "ce_tenant"))) {
                out.add(published(rec));
            }
        }
        return out;
    }

    private static Published published(ConsumerRecord<String, byte[]> rec) {
        // Binary-mode CloudEvents, on the changelogs and on the state topic alike.
        assertEquals("1.0", TopicReader.header(rec, "ce_specversion"), "ce_specversion at " + rec);
        assertEquals("application/json", TopicReader.header(rec, "content-type"), "content-type at " + rec);
        return new Published(
                rec.key(),
                TopicReader.header(rec, "ce_id"),
                TopicReader.header(rec, "ce_subject"),
                Long.parseLong(TopicReader.header(rec, "ce_streamversion")),
                TopicReader.header(rec, "ce_type"),
                TopicReader.header(rec, "ce_ledgerevent"),
                TopicReader.value(rec),
                rec.topic() + "/" + rec.partition() + "@" + rec.offset() + " pos="
                        + TopicReader.header(rec, "ce_position"),
                TopicReader.headers(rec));
    }
}
