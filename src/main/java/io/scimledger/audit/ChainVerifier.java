package io.scimledger.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.events.EventLogReader;
import io.scimledger.events.HashChain;
import io.scimledger.events.StoredEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.util.List;
import java.util.UUID;

/**
 * Verifies every hash chain of one tenant: stream by stream, in version order, each event with
 * {@link HashChain#verifies} against the previous event's hash (none for version 1), and versions 1, 2, 3, ...
 * without gaps. Rows are read in keyset-paged batches of {@link #BATCH}, so the log is never held in memory.
 * Stops at the first broken link (streams ordered by type, then id).
 *
 * <p>What it cannot detect (docs/audit.md): removal of a stream's latest events or of a whole stream, or a stream
 * rewritten with recomputed hashes by someone with owner rights; the signed checkpoints
 * ({@link CheckpointWriter}, {@link CheckpointVerifier}) detect that.
 */
@ApplicationScoped
public class ChainVerifier {

    static final int BATCH = 1000;
    private static final UUID ZERO = new UUID(0, 0);

    private final Database db;
    private final EventLogReader log;

    public ChainVerifier(Database db, EventLogReader log) {
        this.db = db;
        this.log = log;
    }

    public ObjectNode verify(String tenant) {
        return db.withConnection(conn -> {
            String afterType = "";
            UUID afterStream = ZERO;
            long afterVersion = 0;
            UUID stream = null;
            long expectedVersion = 1;
            byte[] prevHash = null;
            long events = 0;
            long streams = 0;
            while (true) {
                List<EventLogReader.ChainRow> rows =
                        log.chainPage(conn, tenant, afterType, afterStream, afterVersion, BATCH);
                int n = 0;
                for (EventLogReader.ChainRow row : rows) {
                    n++;
                    if (row.event() == null) {
                        return broken(
                                row.streamId(),
                                row.version(),
                                row.position(),
                                row.eventId(),
                                "the row cannot be read as an event: " + row.unreadable());
                    }
                    StoredEvent e = row.event();
                    afterType = e.streamType().name();
                    afterStream = e.streamId();
                    afterVersion = e.version();
                    if (!e.streamId().equals(stream)) {
                        stream = e.streamId();
                        streams++;
                        expectedVersion = 1;
                        prevHash = null;
                    }
                    if (e.version() != expectedVersion) {
                        return broken(
                                e,
                                expectedVersion == 1
                                        ? "the stream starts at version " + e.version() + ", not 1"
                                        : "version " + expectedVersion + " is missing (found " + e.version() + ")");
                    }
                    if (!HashChain.verifies(e, prevHash)) {
                        return broken(e, reason(e, prevHash));
                    }
                    events++;
                    expectedVersion++;
                    prevHash = e.hash();
                }
                if (n < BATCH) {
                    break;
                }
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("intact", true);
            out.put("eventsChecked", events);
            out.put("streams", streams);
            return out;
        });
    }

    private static String reason(StoredEvent e, byte[] expectedPrev) {
        boolean prevMatches = expectedPrev == null
                ? e.prevHash() == null
                : e.prevHash() != null && MessageDigest.isEqual(e.prevHash(), expectedPrev);
        if (!prevMatches) {
            return e.version() == 1
                    ? "version 1 must have no prev_hash"
                    : "prev_hash does not equal the hash of version " + (e.version() - 1);
        }
        return "the stored hash does not match the event's content: the event was altered after it was written";
    }

    private static ObjectNode broken(StoredEvent e, String reason) {
        return broken(e.streamId(), e.version(), e.position(), e.eventId(), reason);
    }

    private static ObjectNode broken(UUID streamId, long version, long position, UUID eventId, String reason) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("intact", false);
        ObjectNode link = out.putObject("firstBrokenLink");
        link.put("streamId", String.valueOf(streamId));
        link.put("version", version);
        link.put("position", position);
        link.put("eventId", String.valueOf(eventId));
        link.put("reason", reason);
        return out;
    }
}
