package io.scimledger.publish;

import static io.scimledger.db.Database.await;
import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scimledger.background.PeriodicWorker;
import io.scimledger.db.SchemaMigrations;
import io.scimledger.events.CommitOrderReader;
import io.scimledger.events.CommitOrderReader.LogPoint;
import io.scimledger.events.StoredEvent;
import io.scimledger.events.StreamType;
import io.scimledger.privacy.DataKey;
import io.scimledger.privacy.DataKeyStore;
import io.scimledger.privacy.PersonalDataCipher;
import io.smallrye.common.annotation.Identifier;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Where events reach Kafka. A background thread reads the log in commit-safe order and produces each event, then
 * advances the subscription's checkpoint only after the broker acknowledged the whole batch.
 *
 * <ul>
 *   <li>Gap-free: it reads only transactions below {@code pg_snapshot_xmin(pg_current_snapshot())}, ordered by
 *       (tx_id, position), so a slow transaction can never commit behind the checkpoint (docs/decisions/0002).</li>
 *   <li>One active relay per subscription across all instances: a session advisory lock on the relay's connection;
 *       other instances wait as hot standbys.</li>
 *   <li>SCIM writes never wait for Kafka: when the broker is down the lag grows and nothing is lost.</li>
 *   <li>At-least-once: a batch that failed part-way is produced again; consumers deduplicate on ce_id.</li>
 * </ul>
 */
@ApplicationScoped
public class KafkaRelay {

    private static final Logger LOG = Logger.getLogger(KafkaRelay.class);

    @Inject
    Pool pool;

    @Inject
    CommitOrderReader log;

    @Inject
    DataKeyStore dataKeys;

    @Inject
    PublicationLag lag;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @ConfigProperty(name = "scim.publish.enabled")
    boolean enabled;

    @ConfigProperty(name = "scim.publish.subscription")
    String subscription;

    @ConfigProperty(name = "scim.publish.users-topic")
    String usersTopic;

    @ConfigProperty(name = "scim.publish.groups-topic")
    String groupsTopic;

    @ConfigProperty(name = "scim.publish.tenants-topic")
    String tenantsTopic;

    @ConfigProperty(name = "scim.publish.users-state-topic")
    String usersStateTopic;

    @ConfigProperty(name = "scim.publish.topic-partitions")
    int partitions;

    @ConfigProperty(name = "scim.publish.topic-replication-factor")
    short replicationFactor;

    @ConfigProperty(name = "scim.publish.batch-size")
    int batchSize;

    @ConfigProperty(name = "scim.publish.idle-poll-ms")
    long idlePollMs;

    @ConfigProperty(name = "scim.publish.source")
    String source;

    private volatile boolean active;
    private long backoffMillis = 200;
    private PeriodicWorker worker;
    // Read by ops.LogGauges and ops.RelayReadiness: how often publishing failed here, and why the last time.
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    private volatile String lastFailure;

    void onStart(@Observes StartupEvent event, SchemaMigrations migrations) {
        // taking the migrations as a parameter makes them run before the relay reads the log
        if (!enabled) {
            LOG.info("Kafka relay disabled (scim.publish.enabled=false)");
            return;
        }
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public synchronized void start() {
        if (worker == null) {
            worker = new PeriodicWorker(
                    "kafka-relay-" + subscription, Duration.ZERO, this::leadWhileAllowed, this::pauseAfterFailure);
        }
        worker.start();
    }

    /** Lets the current batch finish and the producer close cleanly; interrupts only a stuck thread. */
    public synchronized void stop() {
        if (worker != null) {
            worker.stop();
        }
    }

    /** True while this instance holds the subscription's lock and publishes. */
    public boolean isActive() {
        return active;
    }

    public String subscription() {
        return subscription;
    }

    /** One step of the worker: publish for as long as this instance leads; then try again at once. */
    private Duration leadWhileAllowed() {
        runWhileLeader();
        backoffMillis = 200;
        return Duration.ZERO;
    }

    private Duration pauseAfterFailure(RuntimeException e) {
        long pause = backoffMillis;
        failures.incrementAndGet();
        lastFailure = e.getMessage();
        LOG.warnf("relay %s paused: %s (retrying in %d ms)", subscription, e.getMessage(), pause);
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
        return Duration.ofMillis(pause);
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** How many times publishing failed on this instance (broker unreachable, not acknowledged, database lost). */
    public long failures() {
        return failures.get();
    }

    public Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    /** Holds the advisory lock on one connection for as long as it publishes; releases it on any failure. */
    private void runWhileLeader() {
        SqlConnection conn = await(pool.getConnection());
        boolean locked = false;
        try {
            locked = query(
                            conn,
                            "SELECT pg_try_advisory_lock(hashtext('scim-ledger-relay'), hashtext($1)) AS locked",
                            subscription)
                    .iterator()
                    .next()
                    .getBoolean("locked");
            if (!locked) {
                worker.pause(1_000); // another instance publishes; stay a hot standby
                return;
            }
            query(conn, "INSERT INTO relay_checkpoint (subscription) VALUES ($1) ON CONFLICT DO NOTHING", subscription);
            TopicSetup.ensure(
                    kafkaConfig,
                    List.of(
                            TopicSetup.changelog(usersTopic, partitions, replicationFactor),
                            TopicSetup.changelog(groupsTopic, partitions, replicationFactor),
                            TopicSetup.changelog(tenantsTopic, partitions, replicationFactor),
                            TopicSetup.state(usersStateTopic, partitions, replicationFactor)));
            try (KafkaProducer<String, byte[]> producer = newProducer()) {
                active = true;
                while (worker.isRunning()) {
                    if (publishBatch(conn, producer) == 0) {
                        worker.pause(idlePollMs);
                    }
                }
            }
        } finally {
            active = false;
            if (locked) {
                try {
                    query(conn, "SELECT pg_advisory_unlock(hashtext('scim-ledger-relay'), hashtext($1))", subscription);
                } catch (RuntimeException ignored) {
                    // a broken connection has already released the session lock
                }
            }
            conn.closeAndAwait();
        }
    }

    /** Publishes the next batch; returns how many events were published (0 when caught up). */
    int publishBatch(SqlConnection conn, KafkaProducer<String, byte[]> producer) {
        RelayCheckpoint cp = checkpoint(conn);
        // The relay publishes every tenant's events: one subscription carries the whole log.
        List<StoredEvent> batch =
                log.readAllTenantsCommittedAfter(conn, new LogPoint(cp.txId(), cp.position()), batchSize);
        if (batch.isEmpty()) {
            return 0;
        }
        // A producer without metadata (new, or after an outage) must not start a batch it cannot finish: a half-sent
        // batch is sent again from the checkpoint and turns into duplicates. partitionsFor fails after max.block.ms.
        producer.partitionsFor(usersTopic);
        producer.partitionsFor(groupsTopic);
        producer.partitionsFor(tenantsTopic);
        List<List<Future<RecordMetadata>>> acks = new ArrayList<>(batch.size());
        Map<UUID, DataKey> keys = dataKeys.findAll(conn, subjectsOfSealedValues(batch));
        for (StoredEvent e : batch) {
            ObjectNode opened = e.payload();
            if (e.type() == io.scimledger.events.EventType.GroupMembersAdded) {
                // members' displays are sealed under each member's key, not the group's
                opened = io.scimledger.privacy.MemberDisplays.open(opened, id -> Optional.ofNullable(keys.get(id)));
            }
            if (PersonalDataCipher.containsSealed(opened)) {
                opened = PersonalDataCipher.openObject(opened, Optional.ofNullable(keys.get(e.streamId())));
            }
            List<Future<RecordMetadata>> sent = new ArrayList<>(2);
            String topic = switch (e.streamType()) {
                case User -> usersTopic;
                case Group -> groupsTopic;
                case Tenant -> tenantsTopic;
            };
            sent.add(producer.send(CloudEventMapper.toRecord(e, opened, topic, source), lag.onAcknowledged(e)));
            if (e.streamType() == StreamType.User) {
                sent.add(producer.send(CloudEventMapper.toStateRecord(e, opened, usersStateTopic, source)));
            }
            acks.add(sent);
            if (failedAlready(sent)) {
                break; // e.g. metadata timed out inside send(): later records would only become duplicates
            }
        }
        producer.flush();
        // Advance over the longest acknowledged prefix, so a failure re-sends as little as possible.
        int acknowledged = 0;
        Exception failure = null;
        for (List<Future<RecordMetadata>> sent : acks) {
            try {
                for (Future<RecordMetadata> ack : sent) {
                    ack.get(150, TimeUnit.SECONDS);
                }
            } catch (Exception ex) {
                failure = ex;
                break;
            }
            acknowledged++;
        }
        if (LOG.isDebugEnabled()) { // one line per batch: enough to see a checkpoint that goes backwards
            StoredEvent first = batch.get(0);
            LOG.debugf(
                    "relay %s: checkpoint (%s, %d), read %d, acknowledged %d, first (%s, %d), last acked (%s, %d)",
                    subscription,
                    cp.txId(),
                    cp.position(),
                    batch.size(),
                    acknowledged,
                    first.txId(),
                    first.position(),
                    acknowledged == 0 ? "-" : batch.get(acknowledged - 1).txId(),
                    acknowledged == 0 ? 0 : batch.get(acknowledged - 1).position());
        }
        if (acknowledged > 0) {
            StoredEvent last = batch.get(acknowledged - 1);
            query(
                    conn,
                    "UPDATE relay_checkpoint SET last_tx_id = $2::text::xid8, last_position = $3, "
                            + "published = published + $4, updated_at = now() WHERE subscription = $1",
                    subscription,
                    last.txId(),
                    last.position(),
                    (long) acknowledged);
        }
        if (failure != null || acknowledged < batch.size()) {
            throw new IllegalStateException(
                    "broker did not acknowledge: " + (failure == null ? "batch cut short" : failure.getMessage()),
                    failure);
        }
        return batch.size();
    }

    /**
     * Whose data keys the batch needs: the subject of every event with a sealed value, and every added member with a
     * display (sealed under the member's key). Read in one query per batch: one query per event made the relay
     * fall behind while writes kept the CPU busy (bench/relay.sh), each round trip waiting for a core.
     */
    private static Set<UUID> subjectsOfSealedValues(List<StoredEvent> batch) {
        Set<UUID> subjects = new HashSet<>();
        for (StoredEvent e : batch) {
            if (e.type() == io.scimledger.events.EventType.GroupMembersAdded) {
                for (JsonNode m : e.payload().path("members")) {
                    JsonNode display = m.get("display");
                    if (display == null || !PersonalDataCipher.containsSealed(display)) {
                        continue;
                    }
                    try {
                        subjects.add(UUID.fromString(m.path("value").asText()));
                    } catch (IllegalArgumentException notAnId) {
                        // not a member this service wrote; MemberDisplays leaves it as it is
                    }
                }
            }
            if (PersonalDataCipher.containsSealed(e.payload())) {
                subjects.add(e.streamId());
            }
        }
        return subjects;
    }

    private static boolean failedAlready(List<Future<RecordMetadata>> sent) {
        for (Future<RecordMetadata> f : sent) {
            if (f.isDone()) {
                try {
                    f.get();
                } catch (Exception e) {
                    return true;
                }
            }
        }
        return false;
    }

    private RelayCheckpoint checkpoint(SqlConnection conn) {
        Row r = query(
                        conn,
                        "SELECT last_tx_id::text AS tx, last_position FROM relay_checkpoint WHERE subscription = $1",
                        subscription)
                .iterator()
                .next();
        return new RelayCheckpoint(r.getString("tx"), r.getLong("last_position"));
    }

    private KafkaProducer<String, byte[]> newProducer() {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // A producer without metadata fails fast (the batch is not started, see publishBatch); once records are
        // in flight, the producer itself retries them for up to the delivery timeout. Short request timeouts made
        // a slow broker (not a dead one) time requests out and re-send them, which can duplicate records.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "scim-ledger-relay-" + subscription);
        props.keySet().removeIf(k -> k.startsWith("group.") || k.equals("auto.offset.reset"));
        return new KafkaProducer<>(props);
    }
}
