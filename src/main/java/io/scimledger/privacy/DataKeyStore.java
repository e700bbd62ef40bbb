package io.scimledger.privacy;

import static io.scimledger.db.Database.query;

import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-user data keys, stored wrapped by the {@link MasterKey} in {@code data_key}.
 *
 * <p>No cache across requests, on purpose: {@link #find} reads the row every time (a primary-key lookup), so an
 * erasure committed by any instance takes effect on every instance at once. An earlier per-instance cache kept
 * erased keys usable elsewhere until restart. Readers that open many events of one user in one go (the relay's
 * batch, a rebuild's batch, one history answer) look the key up once per user and keep it for that work only.
 */
@ApplicationScoped
public class DataKeyStore {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final MasterKey masterKey;

    public DataKeyStore(MasterKey masterKey) {
        this.masterKey = masterKey;
    }

    /** A fresh random key for a new subject; nothing is stored until {@link #store}. */
    public DataKey generate(UUID subject) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return new DataKey(subject, new SecretKeySpec(raw, "AES"));
    }

    /**
     * Stores a key wrapped by the master key, inside the caller's transaction. Called after the event append, which
     * must stay the first write of the transaction (see EventStore).
     */
    public void store(SqlClient conn, String tenant, DataKey key) {
        query(
                conn,
                "INSERT INTO data_key (tenant_id, subject_id, wrapped_key, master_key_id) VALUES ($1, $2, $3, $4)",
                tenant,
                key.subject(),
                io.vertx.core.buffer.Buffer.buffer(masterKey.wrap(key.key().getEncoded(), key.subject())),
                masterKey.id());
    }

    /** The subject's key, or empty if it never existed or was destroyed (the person was erased). */
    public Optional<DataKey> find(SqlClient conn, UUID subject) {
        var rows = query(conn, "SELECT wrapped_key FROM data_key WHERE subject_id = $1", subject);
        if (rows.size() == 0) {
            return Optional.empty();
        }
        Row row = rows.iterator().next();
        Buffer wrapped = row.getBuffer("wrapped_key");
        if (wrapped == null) {
            return Optional.empty();
        }
        return Optional.of(
                new DataKey(subject, new SecretKeySpec(masterKey.unwrap(wrapped.getBytes(), subject), "AES")));
    }

    /** From this many keys on, {@link #findAll} unwraps them on several cores. */
    private static final int PARALLEL_UNWRAP = 256;

    /**
     * The keys of several subjects in one query (for a reader that opens one value of many people, e.g. the
     * auditor's search); destroyed and unknown keys are absent from the map.
     */
    public java.util.Map<UUID, DataKey> findAll(SqlClient conn, java.util.Collection<UUID> subjects) {
        java.util.Map<UUID, DataKey> out = new java.util.HashMap<>();
        if (subjects.isEmpty()) {
            return out;
        }
        java.util.List<UUID> found = new java.util.ArrayList<>(subjects.size());
        java.util.List<byte[]> wrapped = new java.util.ArrayList<>(subjects.size());
        for (Row row : query(
                conn,
                "SELECT subject_id, wrapped_key FROM data_key WHERE subject_id = ANY($1::uuid[]) "
                        + "AND wrapped_key IS NOT NULL",
                (Object) subjects.toArray(UUID[]::new))) {
            found.add(row.getUUID("subject_id"));
            wrapped.add(row.getBuffer("wrapped_key").getBytes());
        }
        // Unwrapping is CPU work per key: a projection rebuild asks for thousands at a time, spread over the cores
        // (Aead keeps its Cipher per thread); a handful stay on the caller's thread.
        DataKey[] keys = new DataKey[found.size()];
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, keys.length);
        (keys.length >= PARALLEL_UNWRAP ? range.parallel() : range).forEach(i -> {
            UUID subject = found.get(i);
            keys[i] = new DataKey(subject, new SecretKeySpec(masterKey.unwrap(wrapped.get(i), subject), "AES"));
        });
        for (DataKey key : keys) {
            out.put(key.subject(), key);
        }
        return out;
    }

    /** True if the tenant's subject had a key and it was destroyed (the person was erased). */
    public boolean isDestroyed(SqlClient conn, String tenant, UUID subject) {
        var rows = query(
                conn,
                "SELECT wrapped_key IS NULL AS destroyed FROM data_key WHERE tenant_id = $1 " + "AND subject_id = $2",
                tenant,
                subject);
        return rows.size() > 0 && rows.iterator().next().getBoolean("destroyed");
    }

    /**
     * Destroys the subject's stored key inside the caller's transaction (crypto-shredding): the wrapped key is
     * overwritten with NULL, so no copy of it remains in this database. Returns false if it was already destroyed.
     */
    public boolean destroy(SqlClient conn, String tenant, UUID subject) {
        var rows = query(
                conn,
                "UPDATE data_key SET wrapped_key = NULL, destroyed_at = now() "
                        + "WHERE tenant_id = $1 AND subject_id = $2 AND wrapped_key IS NOT NULL RETURNING subject_id",
                tenant,
                subject);
        return rows.size() > 0;
    }
}
