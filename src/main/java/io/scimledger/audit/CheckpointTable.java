package io.scimledger.audit;

import static io.scimledger.db.Database.query;

import io.scimledger.db.Database;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL over {@code log_checkpoint} (V5): the one class that reads and writes it. */
@ApplicationScoped
public class CheckpointTable {

    private static final String COLUMNS = "id, from_tx_id::text AS from_tx_id, from_position, "
            + "to_tx_id::text AS to_tx_id, to_position, event_count, root, prev_root, created_at, key_id, signature";

    private final Database db;

    public CheckpointTable(Database db) {
        this.db = db;
    }

    /** One writer at a time across instances: a transaction advisory lock, released at commit or rollback. */
    boolean tryWriterLock(SqlClient conn) {
        return query(conn, "SELECT pg_try_advisory_xact_lock(hashtext('scim-ledger-checkpoint')) AS l")
                .iterator()
                .next()
                .getBoolean("l");
    }

    Optional<Checkpoint> latest(SqlClient conn) {
        return first(query(conn, "SELECT " + COLUMNS + " FROM log_checkpoint ORDER BY id DESC LIMIT 1"));
    }

    /** The checkpoint just before {@code id}, if any. */
    Optional<Checkpoint> before(SqlClient conn, long id) {
        return first(
                query(conn, "SELECT " + COLUMNS + " FROM log_checkpoint WHERE id < $1 ORDER BY id DESC LIMIT 1", id));
    }

    /** Checkpoints with id > {@code afterId}, in id order, at most {@code limit}. */
    List<Checkpoint> page(SqlClient conn, long afterId, int limit) {
        List<Checkpoint> out = new ArrayList<>();
        for (Row r : query(
                conn,
                "SELECT " + COLUMNS + " FROM log_checkpoint WHERE id > $1 ORDER BY id LIMIT $2",
                afterId,
                limit)) {
            out.add(fromRow(r));
        }
        return out;
    }

    /** {@link #page} on a connection of its own, for the listing endpoint. */
    public List<Checkpoint> page(long afterId, int limit) {
        return db.withConnection(conn -> page(conn, afterId, limit));
    }

    long nextId(SqlClient conn) {
        return query(conn, "SELECT nextval('log_checkpoint_id_seq') AS id")
                .iterator()
                .next()
                .getLong("id");
    }

    void insert(SqlClient conn, Checkpoint c) {
        query(
                conn,
                "INSERT INTO log_checkpoint (id, from_tx_id, from_position, to_tx_id, to_position, "
                        + "event_count, root, prev_root, created_at, key_id, signature) VALUES "
                        + "($1, $2::text::xid8, $3, $4::text::xid8, $5, $6, $7, $8, $9, $10, $11)",
                List.of(
                        c.id(),
                        c.fromTxId(),
                        c.fromPosition(),
                        c.toTxId(),
                        c.toPosition(),
                        c.eventCount(),
                        Buffer.buffer(c.root()),
                        Buffer.buffer(c.prevRoot()),
                        c.createdAt().atOffset(ZoneOffset.UTC),
                        c.keyId(),
                        Buffer.buffer(c.signature())));
    }

    private static Optional<Checkpoint> first(Iterable<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(fromRow(it.next())) : Optional.empty();
    }

    private static Checkpoint fromRow(Row r) {
        return new Checkpoint(
                r.getLong("id"),
                r.getString("from_tx_id"),
                r.getLong("from_position"),
                r.getString("to_tx_id"),
                r.getLong("to_position"),
                r.getLong("event_count"),
                r.getBuffer("root").getBytes(),
                r.getBuffer("prev_root").getBytes(),
                r.getOffsetDateTime("created_at").toInstant(),
                r.getString("key_id"),
                r.getBuffer("signature").getBytes());
    }
}
