package io.scimledger.audit;

import io.scimledger.events.CommitOrderReader.Leaf;
import io.scimledger.events.CommitOrderReader.LogPoint;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Reads a checkpoint's range page by page in commit order and feeds it to {@link RangeRoot}, the one definition of
 * the root; used to write and to verify. prev_root is the previous checkpoint's root ({@link #ZERO_ROOT} for the
 * first).
 */
final class RangeHash {

    static final byte[] ZERO_ROOT = new byte[32];
    static final int BATCH = 1000;

    /** The root over the events read, how many there were, and the last one's point ({@code from} if none). */
    record Result(byte[] root, long count, LogPoint last) {}

    private RangeHash() {}

    /**
     * Hashes at most {@code maxEvents} events after {@code from}; {@code page} reads the next leaves after a point,
     * at most the given number. Stops at the first short page.
     */
    static Result over(byte[] prevRoot, LogPoint from, long maxEvents, BiFunction<LogPoint, Integer, List<Leaf>> page) {
        RangeRoot root = new RangeRoot(prevRoot);
        LogPoint after = from;
        long count = 0;
        while (count < maxEvents) {
            int limit = (int) Math.min(BATCH, maxEvents - count);
            List<Leaf> leaves = page.apply(after, limit);
            for (Leaf leaf : leaves) {
                root.add(leaf.position(), leaf.hash());
                after = leaf.point();
            }
            count += leaves.size();
            if (leaves.size() < limit) {
                break;
            }
        }
        return new Result(root.digest(), count, after);
    }
}
