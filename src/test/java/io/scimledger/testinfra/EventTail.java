package io.scimledger.testinfra;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A stock Kafka consumer that prints the SCIM change events (headers and value) from the beginning of both topics:
 * what a downstream service sees. Used by deploy/tail-events.sh.
 *
 * <p>Args: [bootstrapServers] [seconds to run, default 30].
 */
public final class EventTail {

    private EventTail() {
    }

    public static void main(String[] args) {
        String bootstrap = args.length > 0 ? args[0] : System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 30;
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", "event-tail-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("scim.users.events", "scim.groups.events"));
            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    StringBuilder line = new StringBuilder();
                    line.append(rec.topic()).append(" key=").append(rec.key()).append('\n');
                    for (Header h : rec.headers()) {
                        line.append("  ").append(h.key()).append(": ")
                                .append(new String(h.value(), StandardCharsets.UTF_8)).append('\n');
                    }
                    line.append("  value: ").append(rec.value() == null ? "null"
                            : new String(rec.value(), StandardCharsets.UTF_8)).append('\n');
                    System.out.println(line);
                }
            }
        }
    }
}
