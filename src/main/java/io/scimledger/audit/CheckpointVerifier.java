package io.scimledger.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.events.CommitOrderReader;
import io.scimledger.events.CommitOrderReader.LogPoint;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.util.List;

/**
 * Verifies the checkpoints with id >= {@code fromId} (all when 0) in id order: each one's signature, that it starts
 * where its predecessor ended and chains its predecessor's root, and that the events now in its range still hash to
 * its root (same count, same positions and stored hashes, same order). Stops at the first failure. Reveals no event
 * data: only checkpoint ids, ranges and counts.
 */
@ApplicationScoped
public class CheckpointVerifier {

    private static final int PAGE = 100;

    private final Database db;
    private final CheckpointTable table;
    private final CommitOrderReader log;
    private final CheckpointKeys keys;

    public CheckpointVerifier(Database db, CheckpointTable table, CommitOrderReader log, CheckpointKeys keys) {
        this.db = db;
        this.table = table;
        this.log = log;
        this.keys = keys;
    }

    public ObjectNode verify(long fromId) {
        return db.withConnection(conn -> {
            Checkpoint previous = fromId > 1 ? table.before(conn, fromId).orElse(null) : null;
            boolean signatures = keys.publicKey().isPresent();
            long checked = 0;
            long events = 0;
            long afterId = Math.max(0, fromId - 1);
            while (true) {
                List<Checkpoint> page = table.page(conn, afterId, PAGE);
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
                if (page.size() < PAGE) {
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

    private String check(SqlClient conn, Checkpoint c, Checkpoint previous, boolean signatures) {
        if (signatures) {
            if (!c.keyId().equals(keys.keyId())) {
                return "signed with key '" + c.keyId() + "', but this service verifies with key '" + keys.keyId()
                        + "' (verify it independently with that key's public key)";
            }
            if (!keys.verify(c.signedBytes(), c.signature())) {
                return "the signature does not verify: the checkpoint row was altered or forged";
            }
        }
        LogPoint prevEnd = previous == null ? LogPoint.START : previous.to();
        byte[] prevRoot = previous == null ? RangeHash.ZERO_ROOT : previous.root();
        String prevName = previous == null ? "the start of the log" : "checkpoint " + previous.id();
        if (!c.from().equals(prevEnd)) {
            return "the range does not start where " + prevName + " ended: a checkpoint was removed or inserted";
        }
        if (!MessageDigest.isEqual(c.prevRoot(), prevRoot)) {
            return "prev_root does not equal the root of " + prevName
                    + ": a checkpoint was removed, inserted or altered";
        }
        // No count limit here: the range's end bounds the read, and a range that grew must be seen to have grown.
        RangeHash.Result range = RangeHash.over(
                c.prevRoot(),
                c.from(),
                Long.MAX_VALUE,
                (after, limit) -> log.leavesAllTenantsUpTo(conn, after, c.to(), limit));
        if (range.count() != c.eventCount()) {
            return "its range now holds " + range.count() + " events, but " + c.eventCount() + " were signed: events "
                    + "were " + (range.count() < c.eventCount() ? "removed" : "inserted")
                    + " after the checkpoint was written";
        }
        if (!MessageDigest.isEqual(range.root(), c.root())) {
            return "the events in its range no longer hash to the signed root: an event was altered, replaced or "
                    + "reordered (its stored hash changed)";
        }
        return null;
    }
}
