package io.scimledger.audit;

import io.scimledger.events.CommitOrderReader.Leaf;
import io.scimledger.events.CommitOrderReader.LogPoint;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The one definition of a checkpoint's root, used to write and to verify:
 * {@code SHA-256(prev_root || for each event in commit order: position as 8 bytes big-endian || hash)}, where
 * prev_root is the previous checkpoint's root ({@link #ZERO_ROOT} for the first). Events are read page by page.
 */
final class RangeHash {

    static final byte[] ZERO_ROOT = new byte[32];
    static final int BATCH = 1000;

    /** The root over the events read, how many there were, and the last one's point ({@code from} if none). */
    record Result(byte[] root, long count, LogPoint last) {
    }

    private RangeHash() {
    }

    /**
     * Hashes at most {@code maxEvents} events after {@code from}; {@code page} reads the next leaves after a point,
     * at most the given number. Stops at the first short page.
     */
    static Result over(byte[] prevRoot, LogPoint from, long maxEvents, BiFunction<LogPoint, Integer, List<Leaf>> page) {
        MessageDigest sha = sha256();
        sha.update(prevRoot);
        LogPoint after = from;
        long count = 0;
        while (count < maxEvents) {
            int limit = (int) Math.min(BATCH, maxEvents - count);
            List<Leaf> leaves = page.apply(after, limit);
            for (Leaf leaf : leaves) {
                sha.update(ByteBuffer.allocate(8).putLong(leaf.position()).array());
                sha.update(leaf.hash());
                after = leaf.point();
            }
            count += leaves.size();
            if (leaves.size() < limit) {
                break;
            }
        }
        return new Result(sha.digest(), count, after);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
