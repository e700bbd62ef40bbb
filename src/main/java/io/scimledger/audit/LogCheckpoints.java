package io.scimledger.audit;

import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scimledger.db.Database;
import io.scimledger.db.SchemaMigrations;
import io.scimledger.events.EventStore;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Signed checkpoints over the whole event log (docs/decisions/0009, docs/audit.md "Signed checkpoints").
 *
 * <p>A checkpoint covers the events in {@code ((from_tx_id, from_position), (to_tx_id, to_position)]} in
 * {@code (tx_id, position)} order, read behind the xid8 fence {@code tx_id < pg_snapshot_xmin(pg_current_snapshot())}
 * exactly like the Kafka relay, so no transaction can commit into a range already covered. Its root is
 * {@code SHA-256(prev_root || for each event: position as 8 bytes big-endian || hash)} ({@link RangeRoot}), where
 * prev_root is the previous checkpoint's root (32 zero bytes for the first); the signed message is
 * {@link #signedText}.
 * A daemon thread writes one every {@code scim.audit.checkpoint-interval} when there are new events; a transaction
 * advisory lock lets only one instance write at a time.
 */
@ApplicationScoped
public class LogCheckpoints {

    private static final Logger LOG = Logger.getLogger(LogCheckpoints.class);
    static final int BATCH = 1000;
    static final String FORMAT = "scim-ledger-checkpoint-v1";
    private static final byte[] ZERO_ROOT = new byte[32];
    private static final HexFormat HEX = HexFormat.of();
    private static final String CHECKPOINT_COLUMNS = "id, from_tx_id::text AS from_tx_id, from_position, "
            + "to_tx_id::text AS to_tx_id, to_position, event_count, root, prev_root, created_at, key_id, signature";
    private static final String RANGE = "SELECT position, tx_id::text AS tx_id, hash FROM event "
            + "WHERE (tx_id, position) > ($1::text::xid8, $2) AND (tx_id, position) <= ($3::text::xid8, $4) "
            + "ORDER BY " + EventStore.COMMIT_ORDER + " LIMIT $5";

    private final Database db;
    private final CheckpointKeys keys;

    @ConfigProperty(name = "scim.audit.checkpoint-interval", defaultValue = "PT5M")
    Duration interval;
    @ConfigProperty(name = "scim.audit.checkpoint-max-events", defaultValue = "100000")
    long maxEvents;

    private volatile boolean running;
    private Thread thread;

    public LogCheckpoints(Database db, CheckpointKeys keys) {
        this.db = db;
        this.keys = keys;
    }

    /** One stored checkpoint. */
    public record Checkpoint(long id, String fromTxId, long fromPosition, String toTxId, long toPosition,
                             long eventCount, byte[] root, byte[] prevRoot, Instant createdAt, String keyId,
                             byte[] signature) {
    }

    void onStart(@Observes StartupEvent event, SchemaMigrations migrations) {
        if (!keys.canSign()) {
            return; // CheckpointKeys has logged the WARN
        }
        running = true;
        thread = new Thread(this::run, "log-checkpoints");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("signed checkpoints every %s with key %s", interval, keys.keyId());
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            try {
                while (running && checkpointNow().isPresent()) {
                    // catch up in ranges of at most maxEvents
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("checkpoint not written: %s (retrying in %s)", e.getMessage(), interval);
                }
            }
        }
    }

    /**
     * Writes the next checkpoint now, if there are new events behind the fence and no other instance is writing
     * one. Returns its id, or empty when there was nothing to do (or signing is disabled).
     */
    public Optional<Long> checkpointNow() {
        if (!keys.canSign()) {
            return Optional.empty();
        }
        return db.inTransaction(conn -> {
            boolean locked = query(conn, "SELECT pg_try_advisory_xact_lock(hashtext('scim-ledger-checkpoint')) AS l")
                    .iterator().next().getBoolean("l");
            if (!locked) {
                return Optional.<Long>empty();
            }
            String fromTx = "0";
            long fromPos = 0;
            byte[] prevRoot = ZERO_ROOT;
            var last = query(conn, "SELECT " + CHECKPOINT_COLUMNS + " FROM log_checkpoint ORDER BY id DESC LIMIT 1");
            if (last.size() > 0) {
                Checkpoint c = fromRow(last.iterator().next());
                fromTx = c.toTxId();
                fromPos = c.toPosition();
                prevRoot = c.root();
            }
            String fence = query(conn, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS f")
                    .iterator().next().getString("f");
            RangeRoot root = new RangeRoot(prevRoot);
            String afterTx = fromTx;
            long afterPos = fromPos;
            long count = 0;
            while (count < maxEvents) {
                int limit = (int) Math.min(BATCH, maxEvents - count);
                var rows = query(conn, "SELECT position, tx_id::text AS tx_id, hash FROM event "
                        + "WHERE (tx_id, position) > ($1::text::xid8, $2) AND tx_id < $3::text::xid8 "
                        + "ORDER BY " + EventStore.COMMIT_ORDER + " LIMIT $4", afterTx, afterPos, fence, limit);
                int n = 0;
                for (Row r : rows) {
                    n++;
                    afterPos = r.getLong("position");
                    afterTx = r.getString("tx_id");
                    root.add(afterPos, r.getBuffer("hash").getBytes());
                }
                count += n;
                if (n < limit) {
                    break;
                }
            }
            if (count == 0) {
                return Optional.<Long>empty();
            }
            long id = query(conn, "SELECT nextval('log_checkpoint_id_seq') AS id").iterator().next().getLong("id");
            Checkpoint c = new Checkpoint(id, fromTx, fromPos, afterTx, afterPos, count, root.digest(), prevRoot,
                    Instant.now().truncatedTo(ChronoUnit.MICROS), keys.keyId(), null);
            byte[] signature = keys.sign(signedBytes(c));
            query(conn, "INSERT INTO log_checkpoint (id, from_tx_id, from_position, to_tx_id, to_position, "
                            + "event_count, root, prev_root, created_at, key_id, signature) VALUES "
                            + "($1, $2::text::xid8, $3, $4::text::xid8, $5, $6, $7, $8, $9, $10, $11)",
                    List.of(id, fromTx, fromPos, afterTx, afterPos, count,
                            io.vertx.core.buffer.Buffer.buffer(c.root()),
                            io.vertx.core.buffer.Buffer.buffer(prevRoot),
                            c.createdAt().atOffset(java.time.ZoneOffset.UTC), c.keyId(),
                            io.vertx.core.buffer.Buffer.buffer(signature)));
            return Optional.of(id);
        });
    }

    /** The signed message: UTF-8 text, lines separated by a single LF, no trailing newline. */
    public static String signedText(Checkpoint c) {
        return FORMAT + "\n"
                + "id=" + c.id() + "\n"
                + "from=" + c.fromTxId() + ":" + c.fromPosition() + "\n"
                + "to=" + c.toTxId() + ":" + c.toPosition() + "\n"
                + "count=" + c.eventCount() + "\n"
                + "prev=" + HEX.formatHex(c.prevRoot()) + "\n"
                + "root=" + HEX.formatHex(c.root()) + "\n"
                + "created=" + c.createdAt() + "\n"
                + "key=" + c.keyId();
    }

    static byte[] signedBytes(Checkpoint c) {
        return signedText(c).getBytes(StandardCharsets.UTF_8);
    }

    static Checkpoint fromRow(Row r) {
        return new Checkpoint(r.getLong("id"), r.getString("from_tx_id"), r.getLong("from_position"),
                r.getString("to_tx_id"), r.getLong("to_position"), r.getLong("event_count"),
                r.getBuffer("root").getBytes(), r.getBuffer("prev_root").getBytes(),
                r.getOffsetDateTime("created_at").toInstant(), r.getString("key_id"),
                r.getBuffer("signature").getBytes());
    }

    /** A page of checkpoints with id > {@code afterId}, in id order, as JSON; {@code nextAfter} when more exist. */
    public ObjectNode list(long afterId, int limit) {
        return db.withConnection(conn -> {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            ArrayNode arr = out.putArray("checkpoints");
            long lastId = afterId;
            int n = 0;
            for (Row r : query(conn, "SELECT " + CHECKPOINT_COLUMNS + " FROM log_checkpoint WHERE id > $1 "
                    + "ORDER BY id LIMIT $2", afterId, limit + 1)) {
                if (++n > limit) {
                    out.put("nextAfter", lastId);
                    break;
                }
                Checkpoint c = fromRow(r);
                arr.add(toJson(c));
                lastId = c.id();
            }
            return out;
        });
    }

    static ObjectNode toJson(Checkpoint c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", c.id());
        o.putObject("from").put("txId", c.fromTxId()).put("position", c.fromPosition());
        o.putObject("to").put("txId", c.toTxId()).put("position", c.toPosition());
        o.put("eventCount", c.eventCount());
        o.put("prevRoot", HEX.formatHex(c.prevRoot()));
        o.put("root", HEX.formatHex(c.root()));
        o.put("createdAt", c.createdAt().toString());
        o.put("keyId", c.keyId());
        o.put("signature", Base64.getEncoder().encodeToString(c.signature()));
        o.put("signed", signedText(c));
        return o;
    }

    /**
     * Verifies the checkpoints with id >= {@code fromId} (all when 0) in id order: each one's signature, that it
     * starts where its predecessor ended and chains its predecessor's root, and that the events now in its range
     * still hash to its root (same count, same positions and stored hashes, same order). Stops at the first failure.
     * Reveals no event data: only checkpoint ids, ranges and counts.
     */
    public ObjectNode verify(long fromId) {
        return db.withConnection(conn -> {
            Checkpoint previous = null;
            if (fromId > 1) {
                var p = query(conn, "SELECT " + CHECKPOINT_COLUMNS + " FROM log_checkpoint WHERE id < $1 "
                        + "ORDER BY id DESC LIMIT 1", fromId);
                if (p.size() > 0) {
                    previous = fromRow(p.iterator().next());
                }
            }
            boolean signatures = keys.publicKey().isPresent();
            long checked = 0;
            long events = 0;
            long afterId = Math.max(0, fromId - 1);
            while (true) {
                List<Checkpoint> page = new ArrayList<>();
                for (Row r : query(conn, "SELECT " + CHECKPOINT_COLUMNS + " FROM log_checkpoint WHERE id > $1 "
                        + "ORDER BY id LIMIT $2", afterId, 100)) {
                    page.add(fromRow(r));
                }
                for (Checkpoint c : page) {
                    String failure = check(conn, c, previous, signatures);
                    if (failure != null) {
                        ObjectNode out = JsonNodeFactory.instance.objectNode();
                        out.put("intact", false);
                        out.put("checkpointsChecked", checked);
                        out.put("signaturesChecked", signatures);
                        ObjectNode b = out.putObject("firstBrokenCheckpoint");
                        b.put("id", c.id());
                        b.put("createdAt", c.createdAt().toString());
                        b.putObject("from").put("txId", c.fromTxId()).put("position", c.fromPosition());
                        b.putObject("to").put("txId", c.toTxId()).put("position", c.toPosition());
                        b.put("reason", failure);
                        return out;
                    }
                    checked++;
                    events += c.eventCount();
                    previous = c;
                    afterId = c.id();
                }
                if (page.size() < 100) {
                    break;
                }
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("intact", true);
            out.put("checkpointsChecked", checked);
            out.put("eventsCovered", events);
            out.put("signaturesChecked", signatures);
            if (previous != null) {
                out.put("lastCheckpoint", previous.id());
                out.putObject("coveredUpTo").put("txId", previous.toTxId()).put("position", previous.toPosition());
            }
            return out;
        });
    }

    private String check(SqlConnection conn, Checkpoint c, Checkpoint previous, boolean signatures) {
        if (signatures) {
            if (!c.keyId().equals(keys.keyId())) {
                return "signed with key '" + c.keyId() + "', but this service verifies with key '" + keys.keyId()
                        + "' (verify it independently with that key's public key)";
            }
            if (!keys.verify(signedBytes(c), c.signature())) {
                return "the signature does not verify: the checkpoint row was altered or forged";
            }
        }
        String prevTx = previous == null ? "0" : previous.toTxId();
        long prevPos = previous == null ? 0 : previous.toPosition();
        byte[] prevRoot = previous == null ? ZERO_ROOT : previous.root();
        String prevName = previous == null ? "the start of the log" : "checkpoint " + previous.id();
        if (!c.fromTxId().equals(prevTx) || c.fromPosition() != prevPos) {
            return "the range does not start where " + prevName + " ended: a checkpoint was removed or inserted";
        }
        if (!MessageDigest.isEqual(c.prevRoot(), prevRoot)) {
            return "prev_root does not equal the root of " + prevName + ": a checkpoint was removed, inserted or altered";
        }
        RangeRoot root = new RangeRoot(c.prevRoot());
        String afterTx = c.fromTxId();
        long afterPos = c.fromPosition();
        long count = 0;
        while (true) {
            int n = 0;
            for (Row r : query(conn, RANGE, afterTx, afterPos, c.toTxId(), c.toPosition(), BATCH)) {
                n++;
                afterPos = r.getLong("position");
                afterTx = r.getString("tx_id");
                root.add(afterPos, r.getBuffer("hash").getBytes());
            }
            count += n;
            if (n < BATCH) {
                break;
            }
        }
        if (count != c.eventCount()) {
            return "its range now holds " + count + " events, but " + c.eventCount() + " were signed: events were "
                    + (count < c.eventCount() ? "removed" : "inserted") + " after the checkpoint was written";
        }
        if (!MessageDigest.isEqual(root.digest(), c.root())) {
            return "the events in its range no longer hash to the signed root: an event was altered, replaced or "
                    + "reordered (its stored hash changed)";
        }
        return null;
    }
}
