package io.scimledger.db;

import io.scimledger.ops.Phases;
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
        SqlConnection conn = acquire();
        try {
            Transaction tx = await(conn.begin());
            T result;
            try {
                result = work.apply(conn);
            } catch (RuntimeException | Error e) {
                rollbackQuietly(tx);
                throw e;
            }
            long start = System.nanoTime();
            await(tx.commit());
            Phases.since(Phases.DB_COMMIT, start);
            return result;
        } finally {
            release(conn);
        }
    }

    /** Runs read-only work on one connection (one snapshot per statement). */
    public <T> T withConnection(Function<SqlConnection, T> work) {
        SqlConnection conn = acquire();
        try {
            return work.apply(conn);
        } finally {
            release(conn);
        }
    }

    private SqlConnection acquire() {
        long start = System.nanoTime();
        SqlConnection conn = await(pool.getConnection());
        Phases.since(Phases.DB_ACQUIRE, start);
        return conn;
    }

    private static void release(SqlConnection conn) {
        long start = System.nanoTime();
        conn.closeAndAwait();
        Phases.since(Phases.DB_RELEASE, start);
    }

    public static RowSet<Row> query(SqlClient client, String sql, Object... params) {
        long start = System.nanoTime();
        RowSet<Row> rows = params.length == 0 ? await(client.query(sql).execute())
                : await(client.preparedQuery(sql).execute(Tuple.from(params)));
        Phases.since(Phases.DB_STATEMENT, start);
        return rows;
    }

    public static RowSet<Row> query(SqlClient client, String sql, List<Object> params) {
        long start = System.nanoTime();
        RowSet<Row> rows = await(client.preparedQuery(sql).execute(Tuple.from(params)));
        Phases.since(Phases.DB_STATEMENT, start);
        return rows;
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
