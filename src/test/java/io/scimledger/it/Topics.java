package io.scimledger.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads the SCIM change topics the way a downstream consumer does, for assertions on what the relay published.
 * Each partition is read from its beginning without a consumer group: a group rebalance would rewind an uncommitted
 * consumer and show records twice, which is not what the tests measure.
 */
final class Topics {

    static final List<String> CHANGELOGS = List.of("scim.users.events", "scim.groups.events");

    /**
     * One consumed record, reduced to what the assertions need; {@code where} is topic/partition@offset and
     * {@code headers} holds every header by name.
     */
    record Published(String key, String ceId, String subject, long version, String type, String body, String where,
                     Map<String, String> headers) {
    }

    private Topics() {
    }

    /** Waits until {@code expected} distinct events of the tenant have arrived; returns every copy read so far. */
    static List<Published> consume(String tenant, int expected, Duration timeout) {
        try (KafkaConsumer<String, byte[]> consumer = fromBeginning()) {
            List<Published> out = new ArrayList<>();
            Set<String> distinct = new HashSet<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (distinct.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    Published p = ofTenant(rec, tenant);
                    if (p != null) {
                        out.add(p);
                        distinct.add(p.ceId());
                    }
                }
            }
            assertEquals(expected, distinct.size(), "distinct events received for " + tenant);
            return out;
        }
    }

    /**
     * Every record of the tenant up to the current end of each partition. Call it after {@link #awaitRelayPast}:
     * then everything the relay will ever send for those events, duplicates included, is already in the topics.
     */
    static List<Published> readToEnd(String tenant) {
        try (KafkaConsumer<String, byte[]> consumer = fromBeginning()) {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            List<Published> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read the topics to their end offsets " + end);
                }
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    Published p = ofTenant(rec, tenant);
                    if (p != null) {
                        out.add(p);
                    }
                }
            }
            return out;
        }
    }

    /** Waits until the relay's checkpoint has passed every event of the tenant (the broker acknowledged them all). */
    static void awaitRelayPast(String tenant, Duration timeout) throws InterruptedException {
        String subscription = ConfigProvider.getConfig().getValue("scim.publish.subscription", String.class);
        // Counts the tenant's events at or behind the checkpoint; without a checkpoint row the count is 0 and the
        // loop waits (a missing row must not read as "caught up").
        String passed = "SELECT count(*) FROM event e, relay_checkpoint r WHERE r.subscription = ? "
                + "AND e.tenant_id = ? AND (e.tx_id, e.position) <= (r.last_tx_id, r.last_position)";
        long total = Db.count("SELECT count(*) FROM event WHERE tenant_id = ?", tenant);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Db.count(passed, subscription, tenant) < total) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the relay did not pass the events of " + tenant + " within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    static String header(ConsumerRecord<String, byte[]> rec, String name) {
        var h = rec.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<String, byte[]> fromBeginning() {
        Properties props = new Properties();
        props.put("bootstrap.servers", ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        props.put("group.id", "test-" + UUID.randomUUID());
        props.put("enable.auto.commit", "false");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : CHANGELOGS) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private static Published ofTenant(ConsumerRecord<String, byte[]> rec, String tenant) {
        if (!tenant.equals(header(rec, "ce_tenant"))) {
            return null;
        }
        assertEquals("1.0", header(rec, "ce_specversion"));
        assertEquals("application/json", header(rec, "content-type"));
        Map<String, String> headers = new HashMap<>();
        rec.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return new Published(rec.key(), header(rec, "ce_id"), header(rec, "ce_subject"),
                Long.parseLong(header(rec, "ce_streamversion")), header(rec, "ce_type"),
                new String(rec.value(), StandardCharsets.UTF_8),
                rec.topic() + "/" + rec.partition() + "@" + rec.offset() + " pos=" + header(rec, "ce_position"),
                headers);
    }
}
