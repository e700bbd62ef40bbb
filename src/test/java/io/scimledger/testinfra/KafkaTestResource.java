package io.scimledger.testinfra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts one in-process Kafka broker per test JVM, however many test classes reference this resource,
 * and stops it at JVM exit. Tests can call {@code KafkaTestResource.broker().stop()} and later
 * {@code .start()}: the broker comes back on the same bootstrap address with its data.
 *
 * <pre>@WithTestResource(KafkaTestResource.class)</pre>
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /**
     * The JVM-wide shared broker, created and started on first use (see {@link LocalKafka#shared()}); a test may
     * {@code stop()} it and {@code start()} it again on the same bootstrap address.
     */
    public static LocalKafka broker() {
        return LocalKafka.shared();
    }

    @Override
    public Map<String, String> start() {
        LocalKafka k = broker();
        k.start(); // no-op when running; restarts it if a previous test class left it stopped
        return Map.of("kafka.bootstrap.servers", k.bootstrapServers());
    }

    @Override
    public void stop() {
        // Shared by all test classes of this JVM: closed by the shutdown hook, not per class.
    }
}
