package io.scimledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.events.EventLogReader;
import io.scimledger.events.EventType;
import io.scimledger.events.StoredEvent;
import io.scimledger.events.StreamType;
import io.scimledger.privacy.DataKey;
import io.scimledger.privacy.DataKeyStore;
import io.scimledger.privacy.PersonalDataCipher;
import io.scimledger.scim.ScimException;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The auditor's questions about one resource, answered from the event log only (never from the projections):
 * its history with attribute-level before/after values, and its state as of a past time. Every read is confined
 * to the caller's tenant. Streams are read in batches of {@link #BATCH} events, so a long history or a group with
 * many membership events is never loaded into memory at once (the member set of an as-of view is, by necessity).
 */
@ApplicationScoped
public class AuditLog {

    /** Default and maximum page size of {@link #history}. */
    public static final int DEFAULT_LIMIT = 100;

    public static final int MAX_LIMIT = 1000;

    static final int BATCH = 500;

    private final Database db;
    private final EventLogReader log;
    private final DataKeyStore dataKeys;

    public AuditLog(Database db, EventLogReader log, DataKeyStore dataKeys) {
        this.db = db;
        this.log = log;
        this.dataKeys = dataKeys;
    }

    /**
     * One event of a resource's history: the event, its payload opened (personal values readable while the data key
     * exists), the attribute changes it made, and, for users, whether personal data was readable (null for groups).
     * {@link HistoryJson} writes it.
     */
    public record HistoryEntry(
            StoredEvent event, ObjectNode payload, ArrayNode changes, Boolean personalDataReadable) {}

    /**
     * Feeds the events of the stream whose position is greater than {@code after}, at most {@code limit}, to
     * {@code sink} in version order. The before/after values are computed by folding the stream from version 1, so
     * they are right on every page.
     *
     * @return the cursor for the next page ({@code after} of the next call), or null at the end
     * @throws ScimException 404 if the tenant has no such resource in the log (before anything reached the sink)
     */
    public Long history(String tenant, StreamType type, UUID id, long after, int limit, Consumer<HistoryEntry> sink) {
        return db.withConnection(conn -> {
            Optional<DataKey> key = type == StreamType.User ? dataKeys.find(conn, id) : Optional.empty();
            Boolean readable = type == StreamType.User ? key.isPresent() : null;
            Map<String, JsonNode> decrypted = new HashMap<>();
            var fold = new Object() {
                ObjectNode current;
                // the flattened form of `current` once computed: each state is flattened once, not twice
                Map<String, JsonNode> currentFlat;
                boolean seen;
                int sent;
                Long next;
                long lastPosition = after;
            };
            forEachEvent(conn, tenant, type, id, null, e -> {
                fold.seen = true;
                ObjectNode payload = open(e, key, decrypted);
                ObjectNode afterState = fold(e, payload, fold.current);
                Map<String, JsonNode> afterFlat = null;
                if (e.position() > after) {
                    if (fold.sent == limit) {
                        fold.next = fold.lastPosition;
                        return false;
                    }
                    ArrayNode changes;
                    if (e.type() == EventType.GroupMembersAdded || e.type() == EventType.GroupMembersRemoved) {
                        changes = membershipChange(e, payload);
                    } else {
                        Map<String, JsonNode> beforeFlat =
                                fold.currentFlat != null ? fold.currentFlat : StateDiff.flatten(fold.current);
                        afterFlat = afterState == fold.current ? beforeFlat : StateDiff.flatten(afterState);
                        changes = StateDiff.changes(beforeFlat, afterFlat);
                    }
                    sink.accept(new HistoryEntry(e, payload, changes, readable));
                    fold.sent++;
                    fold.lastPosition = e.position();
                }
                if (afterState != fold.current) {
                    fold.currentFlat = afterFlat;
                }
                fold.current = afterState;
                return true;
            });
            if (!fold.seen) {
                throw notFound(type, id);
            }
            return fold.next;
        });
    }

    private static ArrayNode membershipChange(StoredEvent e, ObjectNode payload) {
        ArrayNode changes = JsonNodeFactory.instance.arrayNode();
        ObjectNode c = changes.addObject();
        c.put("attribute", "members");
        c.set(e.type() == EventType.GroupMembersAdded ? "added" : "removed", payload.path("members"));
        if (payload.has("reason")) {
            c.set("reason", payload.get("reason"));
        }
        return changes;
    }

    /**
     * The resource as it was at {@code time}: every event of the stream with {@code occurred_at <= time} (an event
     * at exactly {@code time} is included), folded in version order. {@code occurred_at} is the application's clock
     * when the event was appended, microsecond precision. For a group the members at that time are included.
     *
     * @return empty if the resource did not exist at that time (not yet created, or already deleted)
     */
    public Optional<ObjectNode> asOf(String tenant, StreamType type, UUID id, Instant time) {
        return db.withConnection(conn -> {
            Optional<DataKey> key = type == StreamType.User ? dataKeys.find(conn, id) : Optional.empty();
            ObjectNode[] state = {null};
            Map<String, JsonNode> members = new LinkedHashMap<>();
            StoredEvent[] first = {null};
            StoredEvent[] last = {null};
            forEachEvent(conn, tenant, type, id, time, e -> {
                // Every attribute event records the whole resulting state, so only the last one needs opening.
                ObjectNode payload = e.payload();
                state[0] = fold(e, payload, state[0]);
                switch (e.type()) {
                    case GroupMembersAdded ->
                        payload.path("members")
                                .forEach(m -> members.put(m.path("value").asText(), m));
                    case GroupMembersRemoved ->
                        payload.path("members")
                                .forEach(m -> members.remove(m.path("value").asText()));
                    case GroupDeleted, UserDeleted, UserErased -> members.clear();
                    default -> {}
                }
                if (first[0] == null || e.type().name().endsWith("Created")) {
                    first[0] = e;
                }
                last[0] = e;
                return true;
            });
            if (state[0] == null) {
                return Optional.empty();
            }
            if (PersonalDataCipher.containsSealed(state[0])) {
                state[0] = PersonalDataCipher.openObject(state[0], key);
            }
            ObjectNode resource = JsonNodeFactory.instance.objectNode();
            if (state[0].has("schemas")) {
                resource.set("schemas", state[0].get("schemas"));
            }
            resource.put("id", id.toString());
            state[0].fields().forEachRemaining(f -> {
                if (!"schemas".equals(f.getKey())) {
                    resource.set(f.getKey(), f.getValue());
                }
            });
            if (type == StreamType.Group) {
                ArrayNode list = resource.putArray("members");
                members.values().forEach(list::add);
            }
            ObjectNode meta = resource.putObject("meta");
            meta.put("resourceType", type.name());
            meta.put("created", first[0].occurredAt().toString());
            meta.put("lastModified", last[0].occurredAt().toString());
            meta.put("version", "W/\"" + last[0].version() + "\"");
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("asOf", time.toString());
            out.put("version", last[0].version());
            out.put("lastEventId", last[0].eventId().toString());
            if (type == StreamType.User) {
                out.put("personalDataReadable", key.isPresent());
            }
            out.set("resource", resource);
            return Optional.of(out);
        });
    }

    /** The state after the event: the recorded state for attribute events, null after a delete. */
    private static ObjectNode fold(StoredEvent e, ObjectNode payload, ObjectNode before) {
        return switch (e.type()) {
            case UserCreated, UserReplaced, UserPatched, GroupCreated, GroupReplaced, GroupPatched ->
                payload.get("state") instanceof ObjectNode s ? s : before;
            case UserDeleted, GroupDeleted, UserErased -> null;
            default -> before;
        };
    }

    /** Opens an event's payload; with a memo, a ciphertext carried over from earlier events is decrypted once. */
    private static ObjectNode open(StoredEvent e, Optional<DataKey> key, Map<String, JsonNode> memo) {
        return PersonalDataCipher.containsSealed(e.payload())
                ? (ObjectNode) PersonalDataCipher.open(e.payload(), key, memo)
                : e.payload();
    }

    /**
     * Feeds the tenant's events of one stream to {@code visitor} in version order, batch by batch, until the
     * visitor returns false. With {@code until}, only events with {@code occurred_at <= until}.
     */
    private void forEachEvent(
            SqlClient conn, String tenant, StreamType type, UUID id, Instant until, Predicate<StoredEvent> visitor) {
        long afterVersion = 0;
        while (true) {
            List<StoredEvent> page = log.streamPage(conn, tenant, type, id, afterVersion, until, BATCH);
            for (StoredEvent e : page) {
                afterVersion = e.version();
                if (!visitor.test(e)) {
                    return;
                }
            }
            if (page.size() < BATCH) {
                return;
            }
        }
    }

    static ScimException notFound(StreamType type, UUID id) {
        return ScimException.notFound(type.name() + " " + id + " has no events in this tenant's log");
    }
}
