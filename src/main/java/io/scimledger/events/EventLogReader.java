package io.scimledger.events;

import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The auditor's reads of the {@code event} table, each confined to one tenant (docs/architecture.md, "Tenancy"):
 * a stream page by page, a tenant's chains in verification order, membership changes, and the log-wide reports.
 * {@link EventStore} owns appends and the writers' reads; {@link CommitOrderReader} the cross-tenant reads. The index
 * each query relies on is named beside it (migrations V1 and V4).
 */
@ApplicationScoped
public class EventLogReader {

    /**
     * One row of a tenant's log in chain order: the event, or, when the row cannot be read as an event, its key
     * columns and why ({@code event == null}), so a verifier can point at it.
     */
    public record ChainRow(
            StoredEvent event, UUID streamId, long version, long position, UUID eventId, String unreadable) {}

    /** A user stream's event count and the time of its last UserDeleted (null if never deleted). */
    public record UserLifetime(long events, Instant deletedAt) {}

    /** A group's last recorded displayName and the time of its deletion (null if never deleted). */
    public record GroupFacts(String displayName, Instant deletedAt) {}

    /**
     * What the log says about one resource, for finding it: its last recorded state (sealed values still sealed;
     * null if no event carried a state), last version and event time, and when it was deleted or whether it was
     * erased.
     */
    public record StreamSummary(
            StreamType type,
            UUID id,
            JsonNode lastState,
            long version,
            Instant lastEventAt,
            Instant deletedAt,
            boolean erased) {}

    /** One GroupMembersAdded/Removed event: which group, added or removed, when, and its members array. */
    public record MembershipChange(UUID groupId, boolean added, Instant occurredAt, long position, JsonNode members) {}

    /**
     * Events of one tenant's stream with version > {@code afterVersion}, in version order, at most {@code limit};
     * with {@code until}, only those with {@code occurred_at <= until}. Index: event_tenant_stream_idx.
     */
    public List<StoredEvent> streamPage(
            SqlClient conn, String tenant, StreamType type, UUID id, long afterVersion, Instant until, int limit) {
        var rows = until == null
                ? query(
                        conn,
                        "SELECT " + EventStore.COLUMNS + " FROM event WHERE tenant_id = $1 AND stream_type = $2 "
                                + "AND stream_id = $3 AND stream_version > $4 ORDER BY stream_version LIMIT $5",
                        tenant,
                        type.name(),
                        id,
                        afterVersion,
                        limit)
                : query(
                        conn,
                        "SELECT " + EventStore.COLUMNS + " FROM event WHERE tenant_id = $1 AND stream_type = $2 "
                                + "AND stream_id = $3 AND stream_version > $4 AND occurred_at <= $6 "
                                + "ORDER BY stream_version LIMIT $5",
                        tenant,
                        type.name(),
                        id,
                        afterVersion,
                        limit,
                        time(until));
        return events(rows);
    }

    /**
     * The tenant's events after the key {@code (afterType, afterStream, afterVersion)} in (stream type, stream id,
     * version) order, at most {@code limit} (keyset paging). Index: event_tenant_stream_idx.
     */
    public List<ChainRow> chainPage(
            SqlClient conn, String tenant, String afterType, UUID afterStream, long afterVersion, int limit) {
        List<ChainRow> out = new ArrayList<>(limit);
        for (Row r : query(
                conn,
                "SELECT " + EventStore.COLUMNS + " FROM event WHERE tenant_id = $1 "
                        + "AND (stream_type, stream_id, stream_version) > ($2, $3, $4) "
                        + "ORDER BY stream_type, stream_id, stream_version LIMIT $5",
                tenant,
                afterType,
                afterStream,
                afterVersion,
                limit)) {
            try {
                StoredEvent e = EventStore.fromRow(r);
                out.add(new ChainRow(e, e.streamId(), e.version(), e.position(), e.eventId(), null));
            } catch (RuntimeException ex) {
                out.add(new ChainRow(
                        null,
                        r.getUUID("stream_id"),
                        r.getLong("stream_version"),
                        r.getLong("position"),
                        r.getUUID("event_id"),
                        ex.getMessage()));
            }
        }
        return out;
    }

    /**
     * The tenant's streams after {@code (afterType, afterId)} in (stream type, stream id) order, at most
     * {@code limit}, each summarised in one aggregate; with {@code type}, only that type. Index:
     * event_tenant_stream_idx (read in order, grouped as it goes, so the LIMIT stops the scan).
     */
    public List<StreamSummary> streamSummaries(
            SqlClient conn, String tenant, StreamType type, String afterType, UUID afterId, int limit) {
        List<Object> params = new ArrayList<>(List.of(tenant, afterType, afterId, limit));
        String typeFilter = "";
        if (type != null) {
            params.add(type.name());
            typeFilter = " AND stream_type = $5";
        }
        return summaries(query(
                conn,
                SUMMARY_SELECT + "WHERE tenant_id = $1 AND (stream_type, stream_id) > ($2, $3)" + typeFilter
                        + " GROUP BY stream_type, stream_id ORDER BY stream_type, stream_id LIMIT $4",
                params));
    }

    /** The tenant's streams among {@code ids} (any type), summarised. Index: event_tenant_stream_idx. */
    public List<StreamSummary> streamSummaries(SqlClient conn, String tenant, Set<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return summaries(query(
                conn,
                SUMMARY_SELECT + "WHERE tenant_id = $1 AND stream_id = ANY($2::uuid[]) "
                        + "GROUP BY stream_type, stream_id ORDER BY stream_type, stream_id",
                tenant,
                ids.toArray(UUID[]::new)));
    }

    private static final String SUMMARY_SELECT = "SELECT stream_type, stream_id, "
            + "(array_agg(payload->'state' ORDER BY stream_version DESC) FILTER (WHERE payload ? 'state'))[1] AS state, "
            + "max(stream_version) AS version, max(occurred_at) AS last_at, "
            + "max(occurred_at) FILTER (WHERE event_type IN ('UserDeleted', 'GroupDeleted')) AS deleted_at, "
            + "bool_or(event_type = 'UserErased') AS erased FROM event ";

    private static List<StreamSummary> summaries(Iterable<Row> rows) {
        List<StreamSummary> out = new ArrayList<>();
        for (Row r : rows) {
            Object state = r.getValue("state");
            out.add(new StreamSummary(
                    StreamType.valueOf(r.getString("stream_type")),
                    r.getUUID("stream_id"),
                    state == null ? null : JsonSupport.toJsonNode(state),
                    r.getLong("version"),
                    instant(r.getOffsetDateTime("last_at")),
                    instant(r.getOffsetDateTime("deleted_at")),
                    Boolean.TRUE.equals(r.getBoolean("erased"))));
        }
        return out;
    }

    /** Index: event_tenant_stream_idx. */
    public UserLifetime userLifetime(SqlClient conn, String tenant, UUID userId) {
        Row r = query(
                        conn,
                        "SELECT max(occurred_at) FILTER (WHERE event_type = 'UserDeleted') AS deleted, "
                                + "count(*) AS n FROM event WHERE tenant_id = $1 AND stream_type = 'User' AND stream_id = $2",
                        tenant,
                        userId)
                .iterator()
                .next();
        return new UserLifetime(r.getLong("n"), instant(r.getOffsetDateTime("deleted")));
    }

    /** Names and deletion times of the tenant's groups in {@code groups}, in one query. Index: event_tenant_stream_idx. */
    public Map<UUID, GroupFacts> groupFacts(SqlClient conn, String tenant, Set<UUID> groups) {
        Map<UUID, GroupFacts> out = new HashMap<>();
        if (groups.isEmpty()) {
            return out;
        }
        for (Row r : query(
                conn,
                "SELECT stream_id, "
                        + "(array_agg(payload->'state'->>'displayName' ORDER BY stream_version DESC) "
                        + "   FILTER (WHERE payload ? 'state'))[1] AS display_name, "
                        + "max(occurred_at) FILTER (WHERE event_type = 'GroupDeleted') AS deleted "
                        + "FROM event WHERE tenant_id = $1 AND stream_type = 'Group' AND stream_id = ANY($2::uuid[]) "
                        + "GROUP BY stream_id",
                tenant,
                groups.toArray(UUID[]::new))) {
            out.put(
                    r.getUUID("stream_id"),
                    new GroupFacts(r.getString("display_name"), instant(r.getOffsetDateTime("deleted"))));
        }
        return out;
    }

    /**
     * The tenant's membership events whose members contain any of {@code members}, in log order, in one query
     * (jsonb containment; index: event_membership_members_idx, GIN).
     */
    public List<MembershipChange> membershipChanges(SqlClient conn, String tenant, Set<UUID> members) {
        List<MembershipChange> out = new ArrayList<>();
        if (members.isEmpty()) {
            return out;
        }
        String[] probes =
                members.stream().map(m -> "[{\"value\":\"" + m + "\"}]").toArray(String[]::new);
        for (Row r : query(
                conn,
                "SELECT stream_id, event_type, occurred_at, position, payload->'members' AS members "
                        + "FROM event WHERE tenant_id = $1 AND stream_type = 'Group' "
                        + "AND event_type IN ('GroupMembersAdded', 'GroupMembersRemoved') "
                        + "AND payload->'members' @> ANY(CAST($2::text[] AS jsonb[])) ORDER BY position",
                tenant,
                probes)) {
            out.add(new MembershipChange(
                    r.getUUID("stream_id"),
                    "GroupMembersAdded".equals(r.getString("event_type")),
                    r.getOffsetDateTime("occurred_at").toInstant(),
                    r.getLong("position"),
                    JsonSupport.toJsonNode(r.getValue("members"))));
        }
        return out;
    }

    /**
     * Deprovisionings of the tenant's users ({@code UserDeleted}, and {@code UserPatched}/{@code UserReplaced} that
     * changed {@code active} to false) with {@code from <= occurred_at < to} and position > {@code after}, in log
     * order, at most {@code limit}. Index: event_tenant_user_deprovision_idx (partial, V4).
     */
    public List<StoredEvent> deprovisionings(
            SqlClient conn, String tenant, Instant from, Instant to, long after, int limit) {
        return events(query(
                conn,
                "SELECT " + EventStore.COLUMNS + " FROM event WHERE tenant_id = $1 "
                        + "AND stream_type = 'User' AND occurred_at >= $2 AND occurred_at < $3 AND position > $4 "
                        + "AND (event_type = 'UserDeleted' OR (event_type IN ('UserPatched', 'UserReplaced') "
                        + "     AND payload->'changed' ? 'active' AND payload->'state'->>'active' = 'false')) "
                        + "ORDER BY position LIMIT $5",
                tenant,
                time(from),
                time(to),
                after,
                limit));
    }

    /**
     * The tenant's events by one actor (subject and/or client id; both given: both must match) with
     * {@code from <= occurred_at < to} and position > {@code after}, in log order, at most {@code limit}.
     * Indexes: event_tenant_subject_idx, event_tenant_client_idx (V4).
     */
    public List<StoredEvent> changesBy(
            SqlClient conn,
            String tenant,
            String subject,
            String clientId,
            Instant from,
            Instant to,
            long after,
            int limit) {
        List<Object> params = new ArrayList<>(List.of(tenant, time(from), time(to), after, limit));
        StringBuilder sql = new StringBuilder("SELECT " + EventStore.COLUMNS + " FROM event WHERE tenant_id = $1 "
                + "AND occurred_at >= $2 AND occurred_at < $3 AND position > $4");
        if (subject != null) {
            params.add(subject);
            sql.append(" AND actor_subject = $").append(params.size());
        }
        if (clientId != null) {
            params.add(clientId);
            sql.append(" AND actor_client_id = $").append(params.size());
        }
        sql.append(" ORDER BY position LIMIT $5");
        return events(query(conn, sql.toString(), params));
    }

    private static List<StoredEvent> events(Iterable<Row> rows) {
        List<StoredEvent> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(EventStore.fromRow(r));
        }
        return out;
    }

    private static OffsetDateTime time(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
