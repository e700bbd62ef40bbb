import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.EventType;
import io.scimledger.events.HashChain;
import io.scimledger.events.StoredEvent;
import io.scimledger.events.StreamType;
import io.scimledger.privacy.DataKey;
import io.scimledger.privacy.MasterKey;
import io.scimledger.privacy.PersonalDataCipher;
import io.scimledger.scim.patch.OperationRecord;
import io.scimledger.scim.patch.PatchEngine;
import io.scimledger.scim.patch.PatchEngine.PatchResult;
import io.scimledger.scim.resource.ResourceNormalizer;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.ScimSchemas;
import java.io.BufferedWriter;
import java.io.FileWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes a valid event log for bench/rebuild.sh, fast: the rows the service itself would append for a tenant whose
 * identity provider creates users, patches most of them and puts them into groups, as CSV for PostgreSQL's COPY.
 *
 * <p>Run on the packaged jar's classpath, so every payload is made by the service's own code: requests are parsed by
 * ResourceNormalizer and PatchEngine exactly as the API parses them, personal values are sealed by
 * PersonalDataCipher under a fresh per-user data key, which the service's MasterKey wraps (the same master key the
 * service runs with), and every event is chained with HashChain over its canonical bytes. What differs from events
 * written through HTTP: no HTTP request happened (receivedAt and occurredAt are made up, one request every 100 µs,
 * ending now), and the whole log is committed in one COPY transaction (one tx_id).
 *
 * <p>Per block of 1,000 users: one GroupCreated, per user one UserCreated and for 4 in 5 a UserPatched (name and
 * title), then ten PATCH requests adding 100 members each (GroupMembersAdded). The log stops after exactly
 * {@code events} events; every stream is a valid prefix at any cut.
 *
 * <pre>
 * java -cp 'target/quarkus-app/app/*:target/quarkus-app/lib/main/*' bench/RebuildLog.java \
 *     TENANT EVENTS MASTER_KEY_BASE64 MASTER_KEY_ID DATA_KEY_CSV SAMPLE_FILE > events.csv
 * </pre>
 *
 * stdout: event rows (COPY event (event_id, tenant_id, stream_type, stream_id, stream_version, event_type,
 * schema_version, occurred_at, actor_subject, actor_client_id, request_id, client_address, txn_id, payload,
 * prev_hash, hash) FROM STDIN (FORMAT csv)); DATA_KEY_CSV: data_key rows (tenant_id, subject_id, wrapped_key,
 * master_key_id); SAMPLE_FILE: "id userName" of every 100th user, for the read-back check.
 */
public class RebuildLog {

    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final ResourceTypeDefinition USER = ScimSchemas.USER_TYPE;
    static final ResourceTypeDefinition GROUP = ScimSchemas.GROUP_TYPE;
    static final int BLOCK = 1000;
    static final int MEMBERS_PER_PATCH = 100;
    static final SecureRandom RANDOM = new SecureRandom();

    static final int BLOCK_EVENTS = 1 + BLOCK + BLOCK * 4 / 5 + BLOCK / MEMBERS_PER_PATCH;
    static final Method WRAP;

    static {
        try {
            // MasterKey.wrap is package-private (only DataKeyStore wraps); the generator stores keys the same way.
            WRAP = MasterKey.class.getDeclaredMethod("wrap", byte[].class, UUID.class);
            WRAP.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    final String tenant;
    final long limit;
    final MasterKey masterKey;
    final StringBuilder out = new StringBuilder(1 << 20);
    final StringBuilder keys = new StringBuilder(1 << 17);
    final StringBuilder sample = new StringBuilder();
    long written;
    Instant clock;

    /** One block's rows; {@code limit} events at most, its requests 100 µs apart from {@code start}. */
    RebuildLog(String tenant, long limit, MasterKey masterKey, Instant start) {
        this.tenant = tenant;
        this.limit = limit;
        this.masterKey = masterKey;
        this.clock = start;
    }

    public static void main(String[] args) throws Exception {
        String tenant = args[0];
        long events = Long.parseLong(args[1]);
        MasterKey masterKey = new MasterKey(Optional.of(args[2]), args[3]);
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long blocks = (events + BLOCK_EVENTS - 1) / BLOCK_EVENTS;
        Instant start = Instant.now().truncatedTo(ChronoUnit.MICROS).minus(events * 100, ChronoUnit.MICROS);
        long started = System.nanoTime();
        long written = 0;
        try (PrintWriter out = new PrintWriter(
                        new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 20));
                PrintWriter keys =
                        new PrintWriter(new BufferedWriter(new FileWriter(args[4], StandardCharsets.UTF_8)));
                PrintWriter sample = new PrintWriter(new FileWriter(args[5], StandardCharsets.UTF_8))) {
            // blocks are independent streams: made in parallel, written in order, a few ahead at most
            ArrayDeque<Future<RebuildLog>> ahead = new ArrayDeque<>();
            for (long b = 0; b < blocks || !ahead.isEmpty(); ) {
                while (b < blocks && ahead.size() < threads * 2) {
                    long block = b++;
                    RebuildLog log = new RebuildLog(
                            tenant,
                            Math.min(BLOCK_EVENTS, events - block * BLOCK_EVENTS),
                            masterKey,
                            start.plus(block * BLOCK_EVENTS * 100, ChronoUnit.MICROS));
                    ahead.add(pool.submit(() -> {
                        log.block(block);
                        return log;
                    }));
                }
                RebuildLog done = ahead.poll().get();
                out.append(done.out);
                keys.append(done.keys);
                sample.append(done.sample);
                written += done.written;
            }
        } finally {
            pool.shutdown();
        }
        System.err.printf(
                "[generator] %s: %d events in %.1f s%n", tenant, written, (System.nanoTime() - started) / 1e9);
    }

    boolean full() {
        return written >= limit;
    }

    /** One group, its users, their patches, then the group's member additions. */
    void block(long block) throws Exception {
        UUID group = UUID.randomUUID();
        ObjectNode groupBody = NODES.objectNode();
        groupBody.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:Group");
        groupBody.put("displayName", "generated group " + block);
        ObjectNode groupDoc = ResourceNormalizer.normalize(GROUP, groupBody).resource();
        Instant at = nextRequest();
        byte[] groupHash = append(
                group, StreamType.Group, 1, EventType.GroupCreated, payload(groupDoc, request("POST", at)), null, at);
        long groupVersion = 1;
        List<UUID> created = new ArrayList<>(BLOCK);
        for (int i = 0; i < BLOCK && !full(); i++) {
            created.add(user(block, i));
        }
        for (int from = 0; from < created.size() && !full(); from += MEMBERS_PER_PATCH) {
            List<UUID> members = created.subList(from, Math.min(created.size(), from + MEMBERS_PER_PATCH));
            ObjectNode patch = NODES.objectNode();
            patch.putArray("schemas").add("urn:ietf:params:scim:api:messages:2.0:PatchOp");
            ArrayNode value = patch.putArray("Operations")
                    .addObject()
                    .put("op", "add")
                    .put("path", "members")
                    .putArray("value");
            members.forEach(id -> value.addObject().put("value", id.toString()));
            PatchResult result =
                    PatchEngine.apply(GROUP, ResourceNormalizer.withoutUnregistered(GROUP, groupDoc), patch);
            if (!result.changedAttributes().isEmpty()) {
                throw new IllegalStateException("a members-only PATCH changed " + result.changedAttributes());
            }
            // GroupWriter: {"members": [{"value", "type"}]} (no display was sent), the request on the first event
            ObjectNode added = NODES.objectNode();
            ArrayNode list = added.putArray("members");
            members.forEach(id -> list.addObject().put("value", id.toString()).put("type", "User"));
            at = nextRequest();
            ObjectNode request = request("PATCH", at);
            request.set("operations", result.operations().forLog(OperationRecord::omitted));
            added.set("request", request);
            groupHash =
                    append(group, StreamType.Group, ++groupVersion, EventType.GroupMembersAdded, added, groupHash, at);
        }
    }

    /** POST /Users, and for 4 users in 5 a PATCH of name and title: as UserWriter.create and UserWriter.patch. */
    UUID user(long block, int i) throws Exception {
        UUID id = UUID.randomUUID();
        String userName = "gen-" + block + "-" + i + "-" + id.toString().substring(0, 8);
        ObjectNode body = NODES.objectNode();
        body.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");
        body.put("userName", userName);
        body.putObject("name").put("givenName", "Given" + i).put("familyName", "Family" + block);
        body.put("displayName", "Given" + i + " Family" + block);
        body.putArray("emails")
                .addObject()
                .put("value", userName + "@example.com")
                .put("type", "work")
                .put("primary", true);
        body.put("active", true);
        ObjectNode state = ResourceNormalizer.normalize(USER, body).resource();
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        DataKey key = new DataKey(id, new SecretKeySpec(raw, "AES"));
        ObjectNode sealed = PersonalDataCipher.sealResource(USER, state, key, null, null);
        Instant at = nextRequest();
        byte[] hash =
                append(id, StreamType.User, 1, EventType.UserCreated, payload(sealed, request("POST", at)), null, at);
        keys.append(csv(tenant)).append(',').append(id).append(",\\x");
        keys.append(HexFormat.of().formatHex((byte[]) WRAP.invoke(masterKey, raw, id)));
        keys.append(',').append(csv(masterKey.id())).append('\n');
        if (i % 100 == 0) {
            sample.append(id).append(' ').append(userName).append('\n');
        }
        if (i % 5 == 4 || full()) {
            return id;
        }
        ObjectNode patch = NODES.objectNode();
        patch.putArray("schemas").add("urn:ietf:params:scim:api:messages:2.0:PatchOp");
        ArrayNode ops = patch.putArray("Operations");
        ops.addObject().put("op", "replace").put("path", "name.givenName").put("value", "Renamed" + i);
        ops.addObject().put("op", "add").put("path", "title").put("value", "Engineer " + (i % 7));
        PatchResult result = PatchEngine.apply(USER, ResourceNormalizer.withoutUnregistered(USER, state), patch);
        at = nextRequest();
        ObjectNode request = request("PATCH", at);
        request.set("operations", result.operations().forLog(v -> PersonalDataCipher.seal(v, key)));
        ObjectNode payload =
                payload(PersonalDataCipher.sealResource(USER, result.resource(), key, sealed, state), request);
        result.changedAttributes().forEach(payload.putArray("changed")::add);
        append(id, StreamType.User, 2, EventType.UserPatched, payload, hash, at);
        return id;
    }

    static ObjectNode payload(ObjectNode state, ObjectNode request) {
        ObjectNode payload = NODES.objectNode();
        payload.set("state", state);
        payload.set("request", request);
        return payload;
    }

    /** UserWriter.request: method and receipt time (no password is ever sent here). */
    static ObjectNode request(String method, Instant receivedAt) {
        return NODES.objectNode().put("method", method).put("receivedAt", receivedAt.toString());
    }

    /** Each request 100 µs after the previous one; the event time is a little after the receipt. */
    Instant nextRequest() {
        clock = clock.plus(100, ChronoUnit.MICROS);
        return clock;
    }

    byte[] append(
            UUID stream,
            StreamType type,
            long version,
            EventType eventType,
            ObjectNode payload,
            byte[] prev,
            Instant at)
            throws Exception {
        Instant occurredAt = HashChain.eventTime(at.plus(40, ChronoUnit.MICROS));
        String requestId = UUID.randomUUID().toString();
        StoredEvent e = new StoredEvent(
                0,
                null,
                UUID.randomUUID(),
                tenant,
                type,
                stream,
                version,
                eventType,
                io.scimledger.events.EventType.CURRENT_SCHEMA_VERSION,
                occurredAt,
                "bench-generator",
                "bench-generator-client",
                requestId,
                "127.0.0.1",
                UUID.randomUUID(),
                payload,
                prev,
                null);
        byte[] hash = HashChain.hash(prev, HashChain.canonicalBytes(e));
        StringBuilder row = new StringBuilder(1024);
        row.append(e.eventId()).append(',').append(csv(tenant)).append(',').append(type.name());
        row.append(',').append(stream).append(',').append(version).append(',').append(eventType.name());
        row.append(',').append(e.schemaVersion()).append(',').append(occurredAt);
        row.append(',').append(csv(e.actorSubject())).append(',').append(csv(e.actorClientId()));
        row.append(',').append(csv(requestId)).append(',').append(csv(e.clientAddress()));
        row.append(',').append(e.txnId()).append(',').append(csv(JSON.writeValueAsString(payload)));
        row.append(',');
        if (prev != null) {
            row.append("\\x").append(HexFormat.of().formatHex(prev));
        }
        row.append(",\\x").append(HexFormat.of().formatHex(hash));
        out.append(row).append('\n');
        written++;
        return hash;
    }

    static String csv(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
