package io.scimledger.privacy;

import java.util.UUID;
import javax.crypto.SecretKey;

/** A user's own AES-256 key for their personal data. Destroying its stored (wrapped) form erases the person. */
public record DataKey(UUID subject, SecretKey key) {}
