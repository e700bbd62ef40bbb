package io.scimledger.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.events.EventType;
import io.scimledger.events.StoredEvent;
import io.scimledger.events.StreamType;
import io.scimledger.publish.CloudEventMapper;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Issue 9, item 4: docs/asyncapi.yaml names exactly the topics the relay publishes to (its configuration) and
 * exactly the headers {@link CloudEventMapper} writes on each, required where always present.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class AsyncApiContractTest {

    private static final String PREFIX = "#/components/messages/";

    @Test
    void channelsAreExactlyTheRelaysTopics() throws IOException {
        Set<String> topics = new TreeSet<>();
        for (String key : List.of(
                "scim.publish.users-topic",
                "scim.publish.groups-topic",
                "scim.publish.users-state-topic",
                "scim.publish.tenants-topic")) {
            topics.add(ConfigProvider.getConfig().getValue(key, String.class));
        }
        Set<String> addresses = map(doc().get("channels")).values().stream()
                .map(c -> (String) map(c).get("address"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(topics, addresses);
    }

    @Test
    void changelogHeadersAreExactlyWhatTheMapperWrites() throws IOException {
        String topic = ConfigProvider.getConfig().getValue("scim.publish.users-topic", String.class);
        Map<String, Object> message = messageOf(topic);
        assertEquals(
                headers(CloudEventMapper.toRecord(event(true), opened(), topic, "urn:test")),
                new TreeSet<>(map(map(message.get("headers")).get("properties")).keySet()));
        assertEquals(
                headers(CloudEventMapper.toRecord(event(false), opened(), topic, "urn:test")),
                new TreeSet<>(strings(map(message.get("headers")).get("required"))),
                "required = present even when the request had no actor or request id");
        String groups = ConfigProvider.getConfig().getValue("scim.publish.groups-topic", String.class);
        assertEquals(message, messageOf(groups), "both changelogs carry the same message");
    }

    @Test
    void stateTopicHeadersAreExactlyWhatTheMapperWrites() throws IOException {
        String topic = ConfigProvider.getConfig().getValue("scim.publish.users-state-topic", String.class);
        Map<String, Object> message = messageOf(topic);
        assertEquals(
                headers(CloudEventMapper.toStateRecord(event(true), opened(), topic, "urn:test")),
                new TreeSet<>(map(map(message.get("headers")).get("properties")).keySet()));
        assertEquals(
                headers(CloudEventMapper.toStateRecord(event(false), opened(), topic, "urn:test")),
                new TreeSet<>(strings(map(message.get("headers")).get("required"))));
    }

    @Test
    void ledgerEventTypesAreExactlyTheEventTypes() throws IOException {
        Map<String, Object> schemas = map(map(doc().get("components")).get("schemas"));
        assertEquals(
                Arrays.stream(EventType.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new)),
                new TreeSet<>(strings(map(schemas.get("ledgerevent")).get("enum"))));
    }

    private static StoredEvent event(boolean withActor) {
        return new StoredEvent(
                42,
                "1000",
                UUID.randomUUID(),
                "acme",
                StreamType.User,
                UUID.randomUUID(),
                1,
                EventType.UserCreated,
                EventType.CURRENT_SCHEMA_VERSION,
                Instant.now(),
                withActor ? "subject" : null,
                withActor ? "client" : null,
                withActor ? "request-1" : null,
                "127.0.0.1",
                UUID.randomUUID(),
                opened(),
                null,
                new byte[32]);
    }

    private static ObjectNode opened() {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.putObject("state").put("userName", "someone");
        return payload;
    }

    private static Set<String> headers(ProducerRecord<String, byte[]> record) {
        Set<String> names = new TreeSet<>();
        for (Header h : record.headers()) {
            names.add(h.key());
        }
        return names;
    }

    /** The message the channel with this address carries, following its $ref. */
    private static Map<String, Object> messageOf(String address) throws IOException {
        Map<String, Object> doc = doc();
        Map<String, Object> channel = map(doc.get("channels")).values().stream()
                .map(AsyncApiContractTest::map)
                .filter(c -> address.equals(c.get("address")))
                .findFirst()
                .orElseThrow();
        Map<String, Object> messages = map(channel.get("messages"));
        assertEquals(1, messages.size());
        String ref = (String) map(messages.values().iterator().next()).get("$ref");
        return map(map(map(doc.get("components")).get("messages")).get(ref.substring(PREFIX.length())));
    }

    private static Map<String, Object> doc() throws IOException {
        try (Reader r = Files.newBufferedReader(Path.of("docs", "asyncapi.yaml"))) {
            return map(new Yaml().load(r));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object o) {
        return o == null ? List.of() : (List<String>) o;
    }
}
