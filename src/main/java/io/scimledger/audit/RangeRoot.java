package io.scimledger.audit;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The root of a checkpoint's range, computed as its events are read: {@code SHA-256(prevRoot ‖ for each event in
 * (tx_id, position) order: position as 8 bytes big-endian ‖ hash)} (docs/audit.md, "Signed checkpoints"). One
 * definition for writing and verifying checkpoints, pinned by {@code CheckpointPinTest}.
 */
final class RangeRoot {

    private final MessageDigest sha;

    RangeRoot(byte[] prevRoot) {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        sha.update(prevRoot);
    }

    /** Adds the next event of the range. */
    void add(long position, byte[] eventHash) {
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(position).array());
        sha.update(eventHash);
    }

    /** The root over every event added; call once. */
    byte[] digest() {
        return sha.digest();
    }
}
