package io.scimledger.events;

import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.PgErrors;
import io.scimledger.ops.WriteMetrics;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Appends events to, and reads them from, the append-only {@code event} table. The only class that writes it; with
 * {@link EventLogReader} (the auditor's reads) and {@link CommitOrderReader} (the relay's and checkpoints' reads
 * across tenants) it holds all SQL over that table. Every query here is scoped by tenant except those named
 * {@code readAllTenants...} and the projection rebuild's {@link #readHeadersAfter} and {@link #readStates}, which
 * read the whole log on purpose.
 *
 * <p>Ordering rule (docs/decisions/0002-ordering.md): callers make {@link #append} the first write of their
 * transaction, so the transaction id PostgreSQL assigns (and the relay orders by) follows stream version order.
 */
@ApplicationScoped
public class EventStore {

    /**
     * The columns {@link #fromRow} reads, in the order it reads them (by position). The payload comes as jsonb text
     * and is parsed once, by Jackson: reading it as a driver JSON object and re-encoding it would parse it twice.
     */
    static final String COLUMNS = "position, tx_id::text AS tx_id, event_id, tenant_id, stream_type, stream_id, "
            + "stream_version, event_type, schema_version, occurred_at, actor_subject, actor_client_id, request_id, "
            + "client_address, txn_id, payload::text AS payload, prev_hash, hash";

    /**
     * The commit-safe order of the log (docs/decisions/0002-ordering.md), for ORDER BY clauses. Table-qualified on
     * purpose: {@link #COLUMNS} selects {@code tx_id::text AS tx_id}, and PostgreSQL resolves a bare
     * {@code ORDER BY tx_id} to that text output column, which sorts transaction 1000 before 999. Ordering by the
     * alias made the relay re-send events, or skip them, whenever a batch spanned a power of ten.
     */
    static final String COMMIT_ORDER = "event.tx_id, event.position";

    private static final String INSERT = "INSERT INTO event (event_id, tenant_id, stream_type, stream_id, "
            + "stream_version, event_type, schema_version, occurred_at, actor_subject, actor_client_id, request_id, "
            + "client_address, txn_id, payload, prev_hash, hash) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::text::jsonb, $15, $16) RETURNING position";

    private final Clock clock;
    /** Counts committed events by type; absent when constructed outside CDI (unit tests). */
    @Inject
    WriteMetrics metrics;

    public EventStore() {
        this(Clock.systemUTC());
    }

    EventStore(Clock clock) {
        this.clock = clock;
    }

    /**
     * Appends events of one transaction (all share {@code txnId} and occurredAt), chaining each to the previous
     * event of its stream. Throws {@link StreamConflictException} if another writer took one of the versions.
     */
    public List<StoredEvent> append(SqlConnection conn, RequestOrigin origin, UUID txnId, List<NewEvent> events) {
        Instant occurredAt = HashChain.eventTime(clock.instant());
        Map<UUID, byte[]> lastHashInBatch = new HashMap<>();
        List<StoredEvent> stored = new ArrayList<>(events.size());
        for (NewEvent e : events) {
            byte[] prevHash = e.version() == 1
                    ? null
                    : lastHashInBatch.containsKey(e.streamId())
                            ? lastHashInBatch.get(e.streamId())
                            : hashOf(conn, origin.tenant(), e.streamId(), e.version() - 1);
            StoredEvent unsigned = new StoredEvent(
                    0,
                    null,
                    UUID.randomUUID(),
                    origin.tenant(),
                    e.streamType(),
                    e.streamId(),
                    e.version(),
                    e.type(),
                    EventType.CURRENT_SCHEMA_VERSION,
                    occurredAt,
                    origin.subject(),
                    origin.clientId(),
                    origin.requestId(),
                    origin.clientAddress(),
                    txnId,
                    e.payload(),
                    prevHash,
                    null);
            byte[] hash = HashChain.hash(prevHash, HashChain.canonicalBytes(unsigned));
            long position;
            try {
                position = query(
                                conn,
                                INSERT,
                                unsigned.eventId(),
                                unsigned.tenant(),
                                e.streamType().name(),
                                e.streamId(),
                                e.version(),
                                e.type().name(),
                                unsigned.schemaVersion(),
                                OffsetDateTime.ofInstant(occurredAt, ZoneOffset.UTC),
                                origin.subject(),
                                origin.clientId(),
                                origin.requestId(),
                                origin.clientAddress(),
                                txnId,
                                e.payload().toString(), // jsonb as its text (see Projector.document)
                                prevHash == null ? null : io.vertx.core.buffer.Buffer.buffer(prevHash),
                                io.vertx.core.buffer.Buffer.buffer(hash))
                        .iterator()
                        .next()
                        .getLong("position");
            } catch (RuntimeException ex) {
                if (PgErrors.isUniqueViolation(ex, "event_stream_version_key")) {
                    throw new StreamConflictException(
                            "stream " + e.streamId() + " already has version " + e.version(), ex);
                }
                throw ex;
            }
            lastHashInBatch.put(e.streamId(), hash);
            stored.add(new StoredEvent(
                    position,
                    null,
                    unsigned.eventId(),
                    unsigned.tenant(),
                    e.streamType(),
                    e.streamId(),
                    e.version(),
                    e.type(),
                    unsigned.schemaVersion(),
                    occurredAt,
                    origin.subject(),
                    origin.clientId(),
                    origin.requestId(),
                    origin.clientAddress(),
                    txnId,
                    e.payload(),
                    prevHash,
                    hash));
        }
        if (metrics != null) {
            metrics.appended(conn, stored);
        }
        return stored;
    }

    private static byte[] hashOf(SqlClient conn, String tenant, UUID streamId, long version) {
        var rows = query(
                conn,
                "SELECT hash FROM event WHERE tenant_id = $1 AND stream_id = $2 AND stream_version = $3",
                tenant,
                streamId,
                version);
        if (rows.size() == 0) {
            throw new IllegalStateException("stream " + streamId + " has no version " + version + " in its tenant");
        }
        return rows.iterator().next().getBuffer("hash").getBytes();
    }

    /** The highest version of one tenant's stream of that type, or empty if the log has no such stream. */
    public Optional<Long> lastVersion(SqlClient conn, String tenant, StreamType type, UUID streamId) {
        Long v = query(
                        conn,
                        "SELECT max(stream_version) AS v FROM event WHERE tenant_id = $1 AND stream_type = $2 "
                                + "AND stream_id = $3",
                        tenant,
                        type.name(),
                        streamId)
                .iterator()
                .next()
                .getLong("v");
        return Optional.ofNullable(v);
    }

    /**
     * The {@code state} one event of a tenant's stream recorded (sealed personal values as stored), or null if that
     * event records none. Writers carry unchanged ciphertexts over from it.
     */
    public ObjectNode recordedState(SqlClient conn, String tenant, UUID streamId, long version) {
        var rows = query(
                conn,
                "SELECT (payload -> 'state')::text AS s FROM event WHERE tenant_id = $1 "
                        + "AND stream_id = $2 AND stream_version = $3",
                tenant,
                streamId,
                version);
        String s = rows.size() == 0 ? null : rows.iterator().next().getString("s");
        return s == null ? null : JsonSupport.toObjectNode(s);
    }

    /** All events of one tenant's stream, in version order. */
    public List<StoredEvent> readStream(SqlClient conn, String tenant, UUID streamId) {
        List<StoredEvent> out = new ArrayList<>();
        for (Row r : query(
                conn,
                "SELECT " + COLUMNS + " FROM event WHERE tenant_id = $1 AND stream_id = $2 "
                        + "ORDER BY stream_version",
                tenant,
                streamId)) {
            out.add(fromRow(r));
        }
        return out;
    }

    /**
     * Every tenant's events that the given snapshot (a {@code pg_snapshot} as text) did not see and the caller's
     * snapshot does, in commit order: what committed after a reader took that snapshot. Used by the projection
     * rebuild to catch up with the writes made while it read the log.
     */
    public List<StoredEvent> readAllTenantsNotIn(SqlClient conn, String snapshot) {
        List<StoredEvent> out = new ArrayList<>();
        for (Row r : query(
                conn,
                "SELECT " + COLUMNS + " FROM event WHERE event.tx_id >= pg_snapshot_xmin($1::text::pg_snapshot) "
                        + "AND NOT pg_visible_in_snapshot(event.tx_id, $1::text::pg_snapshot) ORDER BY "
                        + COMMIT_ORDER,
                snapshot)) {
            out.add(fromRow(r));
        }
        return out;
    }

    /**
     * One page of every tenant's log by position, as headers; the payload text only for membership and tenant events
     * (the projection fold reads the User and Group states it keeps separately, with {@link #readStates}).
     */
    public List<EventHeader> readHeadersAfter(SqlClient conn, long afterPosition, int limit) {
        List<EventHeader> out = new ArrayList<>(limit);
        for (Row r : query(
                conn,
                "SELECT position, tenant_id, stream_type, stream_id, stream_version, event_type, occurred_at, "
                        + "CASE WHEN stream_type = 'Tenant' "
                        + "OR event_type IN ('GroupMembersAdded', 'GroupMembersRemoved') THEN payload::text END "
                        + "FROM event WHERE position > $1 ORDER BY position LIMIT $2",
                afterPosition,
                limit)) {
            out.add(new EventHeader(
                    r.getLong(0),
                    r.getString(1),
                    StreamType.valueOf(r.getString(2)),
                    r.getUUID(3),
                    r.getLong(4),
                    EventType.valueOf(r.getString(5)),
                    r.getOffsetDateTime(6),
                    r.getString(7)));
        }
        return out;
    }

    /** The {@code state} member of the events at these positions, as JSON text, by position. */
    public Map<Long, String> readStates(SqlClient conn, Long[] positions) {
        Map<Long, String> out = new HashMap<>(positions.length * 2);
        for (Row r : query(
                conn,
                "SELECT position, (payload->'state')::text FROM event WHERE position = ANY($1::bigint[])",
                (Object) positions)) {
            out.put(r.getLong(0), r.getString(1));
        }
        return out;
    }

    static StoredEvent fromRow(Row r) {
        // By position, in COLUMNS order: a lookup by name scans the column names, once per column and row, which
        // showed up in the audit history profile (1,000 rows per page).
        var prev = r.getBuffer(16);
        return new StoredEvent(
                r.getLong(0),
                r.getString(1),
                r.getUUID(2),
                r.getString(3),
                StreamType.valueOf(r.getString(4)),
                r.getUUID(5),
                r.getLong(6),
                EventType.valueOf(r.getString(7)),
                r.getInteger(8),
                r.getOffsetDateTime(9).toInstant(),
                r.getString(10),
                r.getString(11),
                r.getString(12),
                r.getString(13),
                r.getUUID(14),
                JsonSupport.toObjectNode(r.getValue(15)),
                prev == null ? null : prev.getBytes(),
                r.getBuffer(17).getBytes());
    }
}
