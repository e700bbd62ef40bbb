package io.scimledger.audit;

import io.scimledger.db.Database;
import io.scimledger.events.CommitOrderReader;
import io.scimledger.events.CommitOrderReader.LogPoint;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Writes the next signed checkpoint. Its range starts where the last one ended and reads the whole log (every
 * tenant) behind the xid8 fence {@code tx_id < pg_snapshot_xmin(pg_current_snapshot())}, exactly like the Kafka
 * relay, so no transaction can commit into a range already covered; at most {@code scim.audit.checkpoint-max-events}
 * events per checkpoint. A transaction advisory lock lets one instance write at a time.
 */
@ApplicationScoped
public class CheckpointWriter {

    private final Database db;
    private final CheckpointTable table;
    private final CommitOrderReader log;
    private final CheckpointKeys keys;

    @ConfigProperty(name = "scim.audit.checkpoint-max-events", defaultValue = "100000")
    long maxEvents;

    public CheckpointWriter(Database db, CheckpointTable table, CommitOrderReader log, CheckpointKeys keys) {
        this.db = db;
        this.table = table;
        this.log = log;
        this.keys = keys;
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
            if (!table.tryWriterLock(conn)) {
                return Optional.<Long>empty();
            }
            Optional<Checkpoint> last = table.latest(conn);
            LogPoint from = last.map(Checkpoint::to).orElse(LogPoint.START);
            byte[] prevRoot = last.map(Checkpoint::root).orElse(RangeHash.ZERO_ROOT);
            String fence = log.commitFence(conn);
            RangeHash.Result range = RangeHash.over(
                    prevRoot,
                    from,
                    maxEvents,
                    (after, limit) -> log.leavesAllTenantsBelowFence(conn, after, fence, limit));
            if (range.count() == 0) {
                return Optional.<Long>empty();
            }
            long id = table.nextId(conn);
            Checkpoint unsigned = new Checkpoint(
                    id,
                    from.txId(),
                    from.position(),
                    range.last().txId(),
                    range.last().position(),
                    range.count(),
                    range.root(),
                    prevRoot,
                    Instant.now().truncatedTo(ChronoUnit.MICROS),
                    keys.keyId(),
                    null);
            byte[] signature = keys.sign(unsigned.signedBytes());
            table.insert(
                    conn,
                    new Checkpoint(
                            unsigned.id(),
                            unsigned.fromTxId(),
                            unsigned.fromPosition(),
                            unsigned.toTxId(),
                            unsigned.toPosition(),
                            unsigned.eventCount(),
                            unsigned.root(),
                            unsigned.prevRoot(),
                            unsigned.createdAt(),
                            unsigned.keyId(),
                            signature));
            return Optional.of(id);
        });
    }
}
