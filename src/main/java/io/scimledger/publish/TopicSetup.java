package io.scimledger.publish;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates our topics up front, so the first send never races auto-creation: the changelog topics (delete
 * retention: every event) and the compacted user state topic (latest resource per key; a tombstone on deletion or
 * erasure, and compaction within a bounded lag so an erased person's last state does not linger).
 */
final class TopicSetup {

    private TopicSetup() {}

    static NewTopic changelog(String name, int partitions, short replicationFactor) {
        return new NewTopic(name, partitions, replicationFactor).configs(Map.of("cleanup.policy", "delete"));
    }

    static NewTopic state(String name, int partitions, short replicationFactor) {
        return new NewTopic(name, partitions, replicationFactor)
                .configs(Map.of(
                        "cleanup.policy", "compact",
                        // Bound how long a superseded value (or an erased person's last state) may stay readable.
                        "max.compaction.lag.ms", "3600000",
                        "segment.ms", "3600000",
                        "delete.retention.ms", "86400000"));
    }

    static void ensure(Map<String, Object> kafkaConfig, List<NewTopic> topics) {
        // The same connection settings as the producer (bootstrap, TLS, SASL), minus client-type specific ones.
        Map<String, Object> props = new HashMap<>();
        kafkaConfig.forEach((k, v) -> {
            if (k.startsWith("bootstrap.")
                    || k.startsWith("security.")
                    || k.startsWith("ssl.")
                    || k.startsWith("sasl.")) {
                props.put(k, v);
            }
        });
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic t : topics) {
                if (!existing.contains(t.name())) {
                    missing.add(t);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka to create topics: " + e, e);
        }
    }
}
