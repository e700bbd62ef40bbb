package io.scimledger.db;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Blocking access to the reactive PostgreSQL pool for code running on worker threads.
 *
 * <p>Why blocking: every SCIM write is "read the stream, decide, append, project" inside one transaction, with
 * retries. Written as straight-line code it is easy to review; the pool and driver stay non-blocking underneath.
 * Never call these methods from an event-loop thread.
 */
@ApplicationScoped
public class Database {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Pool pool;

    public Database(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /** Runs {@code work} in one transaction; commits if it returns, rolls back if it throws. */
    public <T> T inTransaction(Function<SqlConnection, T> work) {
        SqlConnection conn = await(pool.getConnection());
        try {
            Transaction tx = await(conn.begin());
            T result;
            try {
                result = work.apply(conn);
            } catch (RuntimeException | Error e) {
                rollbackQuietly(tx);
                throw e;
            }
            await(tx.commit());
            return result;
        } finally {
            conn.closeAndAwait();
        }
    }

    /** Runs read-only work on one connection (one snapshot per statement). */
    public <T> T withConnection(Function<SqlConnection, T> work) {
        SqlConnection conn = await(pool.getConnection());
        try {
            return work.apply(conn);
        } finally {
            conn.closeAndAwait();
        }
    }

    public static RowSet<Row> query(SqlClient client, String sql, Object... params) {
        if (params.length == 0) {
            return await(client.query(sql).execute());
        }
        return await(client.preparedQuery(sql).execute(Tuple.from(params)));
    }

    public static RowSet<Row> query(SqlClient client, String sql, List<Object> params) {
        return await(client.preparedQuery(sql).execute(Tuple.from(params)));
    }

    public static <T> T await(Uni<T> uni) {
        return uni.await().atMost(TIMEOUT);
    }

    private static void rollbackQuietly(Transaction tx) {
        try {
            await(tx.rollback());
        } catch (RuntimeException ignored) {
            // the original failure matters more; the connection is closed right after anyway
        }
    }
}
