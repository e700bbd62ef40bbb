package io.scimledger.testinfra;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Prints the SCIM change events (headers and value) from the beginning of both changelog topics for a while: what a
 * downstream service sees. Used by deploy/tail-events.sh; reads through {@link TopicReader} like the tests do.
 *
 * <p>Args: [bootstrapServers] [seconds to run, default 30].
 */
public final class EventTail {

    private EventTail() {}

    public static void main(String[] args) {
        String bootstrap =
                args.length > 0 ? args[0] : System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 30;
        try (KafkaConsumer<String, byte[]> consumer = TopicReader.fromBeginning(bootstrap, TopicReader.CHANGELOGS)) {
            // A tail, not a test: it prints for the time asked and stops.
            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    StringBuilder line = new StringBuilder();
                    line.append(rec.topic()).append(" key=").append(rec.key()).append('\n');
                    for (Map.Entry<String, String> h : TopicReader.headers(rec).entrySet()) {
                        line.append("  ")
                                .append(h.getKey())
                                .append(": ")
                                .append(h.getValue())
                                .append('\n');
                    }
                    line.append("  value: ").append(TopicReader.value(rec)).append('\n');
                    System.out.println(line);
                }
            }
        }
    }
}
