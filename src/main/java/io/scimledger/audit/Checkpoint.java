package io.scimledger.audit;

import io.scimledger.events.CommitOrderReader.LogPoint;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One signed checkpoint (docs/decisions/0009-signed-checkpoints.md, docs/audit.md "Signed checkpoints"): it covers
 * the events in {@code ((fromTxId, fromPosition), (toTxId, toPosition)]} in commit order; its root is
 * {@link RangeHash} over them, chained to {@code prevRoot}; the signature is over {@link #signedText}.
 */
public record Checkpoint(
        long id,
        String fromTxId,
        long fromPosition,
        String toTxId,
        long toPosition,
        long eventCount,
        byte[] root,
        byte[] prevRoot,
        Instant createdAt,
        String keyId,
        byte[] signature) {

    static final String FORMAT = "scim-ledger-checkpoint-v1";
    private static final HexFormat HEX = HexFormat.of();

    LogPoint from() {
        return new LogPoint(fromTxId, fromPosition);
    }

    LogPoint to() {
        return new LogPoint(toTxId, toPosition);
    }

    /** The signed message: UTF-8 text, lines separated by a single LF, no trailing newline. */
    public String signedText() {
        return FORMAT + "\n"
                + "id=" + id + "\n"
                + "from=" + fromTxId + ":" + fromPosition + "\n"
                + "to=" + toTxId + ":" + toPosition + "\n"
                + "count=" + eventCount + "\n"
                + "prev=" + HEX.formatHex(prevRoot) + "\n"
                + "root=" + HEX.formatHex(root) + "\n"
                + "created=" + createdAt + "\n"
                + "key=" + keyId;
    }

    byte[] signedBytes() {
        return signedText().getBytes(StandardCharsets.UTF_8);
    }
}
