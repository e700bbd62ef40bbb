package io.scimledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.events.EventLogReader;
import io.scimledger.events.StoredEvent;
import io.scimledger.scim.resource.ChangedAttributes;
import io.scimledger.scim.schema.ScimSchemas;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Log-wide reports for the auditor, answered from the event log only and confined to one tenant: deprovisionings
 * (deactivations and deletions of users) in a period, and every change made by one actor (token subject and/or
 * OAuth client) in a period. Both are read by keyset on {@code position}, {@code limit} rows at a time, so a
 * page costs the same wherever it is in the log and an export ({@link AuditExport}) holds one batch at a time.
 *
 * <p>Rows carry identifiers and audit facts only, no personal values (the user's id, not their name).
 */
@ApplicationScoped
public class AuditReports {

    /** Lowest and highest instants accepted as period bounds when none is given. */
    public static final Instant BEGINNING = Instant.parse("0001-01-01T00:00:00Z");

    public static final Instant END = Instant.parse("9999-12-31T23:59:59Z");

    private final Database db;
    private final EventLogReader log;

    public AuditReports(Database db, EventLogReader log) {
        this.db = db;
        this.log = log;
    }

    /** One page of rows; {@code nextAfter} is the position cursor of the next page, null on the last. */
    public record Page(List<ObjectNode> rows, Long nextAfter) {}

    /** Who made a change: at least one of the two is set. */
    public record Actor(String subject, String clientId) {}

    /**
     * Each {@code UserPatched}/{@code UserReplaced} that set {@code active} to false ({@code payload.changed}
     * contains "active" and {@code state.active} is false) and each {@code UserDeleted}, with
     * {@code from <= occurred_at < to}, in log order, after position {@code after}.
     */
    public Page deprovisionings(String tenant, Instant from, Instant to, long after, int limit) {
        return page(
                conn -> log.deprovisionings(conn, tenant, from, to, after, limit + 1),
                limit,
                AuditReports::deprovisioning);
    }

    /** Every event whose actor matches (both given: both must match), with {@code from <= occurred_at < to}. */
    public Page changesBy(String tenant, Actor actor, Instant from, Instant to, long after, int limit) {
        return page(
                conn -> log.changesBy(conn, tenant, actor.subject(), actor.clientId(), from, to, after, limit + 1),
                limit,
                AuditReports::change);
    }

    /** Reads {@code limit + 1} events to learn whether another page follows, and renders {@code limit} of them. */
    private Page page(
            Function<SqlConnection, List<StoredEvent>> read, int limit, Function<StoredEvent, ObjectNode> render) {
        return db.withConnection(conn -> {
            List<ObjectNode> rows = new ArrayList<>(Math.min(limit, 1000) + 1);
            Long next = null;
            long last = 0;
            for (StoredEvent e : read.apply(conn)) {
                if (rows.size() == limit) {
                    next = last;
                    break;
                }
                rows.add(render.apply(e));
                last = e.position();
            }
            return new Page(rows, next);
        });
    }

    static ObjectNode deprovisioning(StoredEvent e) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("position", e.position());
        n.put("userId", e.streamId().toString());
        n.put("eventId", e.eventId().toString());
        n.put("type", e.type().isDeletion() ? "deleted" : "deactivated");
        n.put("eventType", e.type().name());
        n.put("occurredAt", e.occurredAt().toString());
        n.put("actor", e.actorSubject());
        n.put("clientId", e.actorClientId());
        n.put("requestId", e.requestId());
        n.put("clientAddress", e.clientAddress());
        // From our receipt of the identity provider's request to the effect (the event's commit-time clock); events
        // written before receivedAt was recorded have none.
        String received = e.payload().path("request").path("receivedAt").asText(null);
        if (received == null) {
            n.putNull("latencyMs");
        } else {
            n.put("requestReceivedAt", received);
            long micros = java.time.Duration.between(Instant.parse(received), e.occurredAt())
                            .toNanos()
                    / 1_000;
            n.put("latencyMs", micros / 1_000.0);
        }
        return n;
    }

    static ObjectNode change(StoredEvent e) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("position", e.position());
        n.put("eventId", e.eventId().toString());
        n.put("resourceType", e.streamType().name());
        n.put("resourceId", e.streamId().toString());
        n.put("version", e.version());
        n.put("type", e.type().name());
        n.put("occurredAt", e.occurredAt().toString());
        n.putObject("actor").put("subject", e.actorSubject()).put("clientId", e.actorClientId());
        n.put("clientAddress", e.clientAddress());
        n.put("requestId", e.requestId());
        n.put("txn", e.txnId().toString());
        n.set("changed", changedNames(e));
        return n;
    }

    /**
     * The attribute names the event changed: {@code payload.changed} as recorded; for a creation the attributes it
     * set; {@code members} for a membership event; none for a deletion.
     */
    static ArrayNode changedNames(StoredEvent e) {
        JsonNode payload = e.payload();
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        if (payload.get("changed") instanceof ArrayNode changed) {
            changed.forEach(out::add);
        } else if (e.type().name().startsWith("GroupMembers")) {
            out.add("members");
        } else if (e.type().name().endsWith("Created") && payload.get("state") instanceof ObjectNode state) {
            // what a creation set, in the granularity every other event records (sealed values count as set)
            var type = e.streamType() == io.scimledger.events.StreamType.User
                    ? ScimSchemas.USER_TYPE
                    : ScimSchemas.GROUP_TYPE;
            boolean password = payload.path("request").path("passwordSupplied").asBoolean(false);
            ChangedAttributes.between(type, JsonNodeFactory.instance.objectNode(), state, password)
                    .forEach(out::add);
            // a tenant's own extensions (registered then, perhaps removed since): what the state recorded under them
            state.fields().forEachRemaining(f -> {
                if (f.getKey().regionMatches(true, 0, "urn:", 0, 4)
                        && !type.knowsSchema(f.getKey())
                        && f.getValue().isObject()) {
                    f.getValue().fieldNames().forEachRemaining(n -> out.add(f.getKey() + ":" + n));
                }
            });
        }
        return out;
    }
}
