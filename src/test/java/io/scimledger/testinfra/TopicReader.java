package io.scimledger.testinfra;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The one Kafka consumer of the tests and of deploy/tail-events.sh: reads whole topics from their beginning, the way
 * a downstream consumer that starts late sees them.
 *
 * <p>Partitions are assigned directly, without a consumer group: a group rebalance would rewind an uncommitted
 * consumer and show records twice, which is not what the tests measure.
 */
public final class TopicReader {

    public static final List<String> CHANGELOGS = List.of("scim.users.events", "scim.groups.events");
    public static final String USERS_STATE = "scim.users.state";

    private TopicReader() {}

    /** A consumer positioned at the beginning of every partition of {@code topics}; the caller closes it. */
    public static KafkaConsumer<String, byte[]> fromBeginning(String bootstrapServers, List<String> topics) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", "test-" + UUID.randomUUID()); // never joined: only names the client in broker logs
        props.put("enable.auto.commit", "false");
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** The last value of header {@code name}, as UTF-8 text, or null when the record has none. */
    public static String header(ConsumerRecord<String, byte[]> rec, String name) {
        var h = rec.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Every header by name (the last value of each), in record order. */
    public static Map<String, String> headers(ConsumerRecord<String, byte[]> rec) {
        Map<String, String> headers = new LinkedHashMap<>();
        rec.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return headers;
    }

    /** The value as UTF-8 text, or null for a tombstone. */
    public static String value(ConsumerRecord<String, byte[]> rec) {
        return rec.value() == null ? null : new String(rec.value(), StandardCharsets.UTF_8);
    }
}
