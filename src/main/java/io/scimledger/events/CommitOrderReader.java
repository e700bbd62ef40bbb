package io.scimledger.events;

import static io.scimledger.db.Database.query;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads of the whole log in commit-safe order, {@code (tx_id, position)} (docs/decisions/0002-ordering.md), for the
 * two readers that cover every tenant by design: the Kafka relay (one subscription publishes the whole log) and the
 * signed checkpoints (one hash over the whole log, so that removing any tenant's event is detected). Every other read
 * of the log is tenant-scoped ({@link EventStore}, {@link EventLogReader}); the method names here say "AllTenants"
 * so that a cross-tenant read is never taken by accident. All use event_relay_order_idx (tx_id, position).
 */
@ApplicationScoped
public class CommitOrderReader {

    /** A point in commit order: a transaction id (xid8 as text) and a position. {@code ("0", 0)} is the start. */
    public record LogPoint(String txId, long position) {
        public static final LogPoint START = new LogPoint("0", 0);
    }

    /** What a checkpoint hashes of one event: its position, its transaction id and its stored hash. */
    public record Leaf(long position, String txId, byte[] hash) {
        public LogPoint point() {
            return new LogPoint(txId, position);
        }
    }

    private static final String COMMITTED_AFTER = "SELECT " + EventStore.COLUMNS + " FROM event "
            + "WHERE (tx_id, position) > ($1::text::xid8, $2) AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) "
            + "ORDER BY " + EventStore.COMMIT_ORDER + " LIMIT $3";
    private static final String LEAVES_BELOW_FENCE = "SELECT position, tx_id::text AS tx_id, hash FROM event "
            + "WHERE (tx_id, position) > ($1::text::xid8, $2) AND tx_id < $3::text::xid8 "
            + "ORDER BY " + EventStore.COMMIT_ORDER + " LIMIT $4";
    private static final String LEAVES_UP_TO = "SELECT position, tx_id::text AS tx_id, hash FROM event "
            + "WHERE (tx_id, position) > ($1::text::xid8, $2) AND (tx_id, position) <= ($3::text::xid8, $4) "
            + "ORDER BY " + EventStore.COMMIT_ORDER + " LIMIT $5";

    /**
     * Events of every tenant after {@code after}, of transactions below the xid fence (so none can still commit
     * behind them), in commit order, at most {@code limit}. For the relay.
     */
    public List<StoredEvent> readAllTenantsCommittedAfter(SqlClient conn, LogPoint after, int limit) {
        List<StoredEvent> out = new ArrayList<>();
        for (Row r : query(conn, COMMITTED_AFTER, after.txId(), after.position(), limit)) {
            out.add(EventStore.fromRow(r));
        }
        return out;
    }

    /** The xid fence now: every transaction below it has committed or aborted. */
    public String commitFence(SqlClient conn) {
        return query(conn, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS f")
                .iterator()
                .next()
                .getString("f");
    }

    /** Leaves of every tenant after {@code after} with {@code tx_id < fence}, in commit order, at most {@code limit}. */
    public List<Leaf> leavesAllTenantsBelowFence(SqlClient conn, LogPoint after, String fence, int limit) {
        return leaves(query(conn, LEAVES_BELOW_FENCE, after.txId(), after.position(), fence, limit));
    }

    /** Leaves of every tenant in {@code (after, upTo]}, in commit order, at most {@code limit}. */
    public List<Leaf> leavesAllTenantsUpTo(SqlClient conn, LogPoint after, LogPoint upTo, int limit) {
        return leaves(query(conn, LEAVES_UP_TO, after.txId(), after.position(), upTo.txId(), upTo.position(), limit));
    }

    private static List<Leaf> leaves(Iterable<Row> rows) {
        List<Leaf> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Leaf(
                    r.getLong("position"),
                    r.getString("tx_id"),
                    r.getBuffer("hash").getBytes()));
        }
        return out;
    }

    /**
     * How far a relay subscription is behind the log, across tenants, with the published count and the newest
     * checkpoint's age; for the operator's gauges (ops.LogGauges). One statement; the checkpoint defaults to the start
     * of the log before the relay first ran. Seconds are null where there is nothing to measure.
     */
    public record RelayLag(long published, long lagEvents, Double lagSeconds, Double checkpointAgeSeconds) {}

    private static final String RELAY_LAG = """
            WITH cp AS (
              SELECT coalesce(c.last_tx_id, '0'::xid8) AS tx, coalesce(c.last_position, 0) AS pos,
                     coalesce(c.published, 0) AS published
              FROM (SELECT 1) one LEFT JOIN relay_checkpoint c ON c.subscription = $1)
            SELECT cp.published,
                   (SELECT count(*) FROM event WHERE (event.tx_id, event.position) > (cp.tx, cp.pos)) AS lag_events,
                   (SELECT extract(epoch FROM now() - e.occurred_at)::float8 FROM event e
                     WHERE (e.tx_id, e.position) > (cp.tx, cp.pos) ORDER BY e.tx_id, e.position LIMIT 1) AS lag_seconds,
                   (SELECT extract(epoch FROM now() - max(created_at))::float8 FROM log_checkpoint) AS checkpoint_age
            FROM cp""";

    public RelayLag relayLagAllTenants(SqlClient conn, String subscription) {
        var r = io.scimledger.db.Database.query(conn, RELAY_LAG, subscription)
                .iterator()
                .next();
        return new RelayLag(
                r.getLong("published"),
                r.getLong("lag_events"),
                r.getDouble("lag_seconds"),
                r.getDouble("checkpoint_age"));
    }
}
