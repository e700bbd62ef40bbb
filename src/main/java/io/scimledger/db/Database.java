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
 * Access to the reactive PostgreSQL pool, in two styles (docs/decisions/0006-blocking-write-path.md):
 *
 * <ul>
 *   <li><b>Blocking</b> ({@link #inTransaction}, {@link #withConnection}, {@link #query}) for writes on worker
 *       threads: every SCIM write is "read the stream, decide, append, project" inside one transaction, with
 *       retries, and straight-line code is easy to review. Never call these from an event-loop thread.
 *   <li><b>Non-blocking</b> ({@link #read}, {@link #statement}) for the read path, which stays on the event loop:
 *       each statement borrows a pooled connection for itself, so a read costs no thread hand-over at all.
 * </ul>
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

    /**
     * Runs {@code work} in one transaction; commits if it returns, rolls back if it throws.
     *
     * <p>Database outages become {@link DatabaseUnavailableException} (answered 503 + Retry-After). Getting a
     * connection and beginning the transaction is retried first ({@link #openTransaction}), since nothing has
     * happened yet; a failure once {@code work} ran is not retried here (the write path decides), and a failure
     * of COMMIT itself is reported with an unknown outcome, never retried.
     */
    public <T> T inTransaction(Function<SqlConnection, T> work) {
        Open open = openTransaction();
        SqlConnection conn = open.conn();
        try {
            T result;
            try {
                result = work.apply(conn);
            } catch (RuntimeException e) {
                rollbackQuietly(open.tx());
                throw unavailableOr(e, "the database connection was lost during the transaction");
            } catch (Error e) {
                rollbackQuietly(open.tx());
                throw e;
            }
            try {
                long start = System.nanoTime();
                await(open.tx().commit());
                Phases.since(Phases.DB_COMMIT, start);
            } catch (RuntimeException e) {
                if (PgErrors.isUnavailable(e)) {
                    throw new DatabaseUnavailableException(
                            "the database connection was lost while committing; the outcome is unknown", e, true);
                }
                throw e;
            }
            return result;
        } finally {
            closeQuietly(conn);
        }
    }

    /** Runs read-only work on one connection (one snapshot per statement). */
    public <T> T withConnection(Function<SqlConnection, T> work) {
        SqlConnection conn = connect();
        try {
            return work.apply(conn);
        } catch (RuntimeException e) {
            throw unavailableOr(e, "the database connection was lost");
        } finally {
            closeQuietly(conn);
        }
    }

    /**
     * Runs a non-blocking read against the pool (one snapshot per statement, like {@link #withConnection}). While
     * PostgreSQL restarts the read is retried like {@link #connect()} (reads are safe to repeat), then answered 503
     * through {@link DatabaseUnavailableException}.
     */
    public <T> Uni<T> read(Function<SqlClient, Uni<T>> work) {
        return Uni.createFrom()
                .deferred(() -> work.apply(pool))
                .onFailure(PgErrors::isUnavailable)
                .retry()
                .withBackOff(Duration.ofMillis(FIRST_PAUSE_MILLIS), Duration.ofMillis(FIRST_PAUSE_MILLIS * 8))
                .atMost(CONNECT_ATTEMPTS - 1)
                .onFailure(PgErrors::isUnavailable)
                .transform(e -> new DatabaseUnavailableException("the database is unavailable", e, false))
                .ifNoItem()
                .after(TIMEOUT)
                .failWith(() -> new DatabaseUnavailableException("the database did not answer in time", null, false));
    }

    /** One prepared statement, without blocking; timed like {@link #query}. */
    public static Uni<RowSet<Row>> statement(SqlClient client, String sql, List<Object> params) {
        return timed(client.preparedQuery(sql).execute(Tuple.from(params)));
    }

    /** One statement, without blocking (prepared when it has parameters); timed like {@link #query}. */
    public static Uni<RowSet<Row>> statement(SqlClient client, String sql, Object... params) {
        return timed(
                params.length == 0
                        ? client.query(sql).execute()
                        : client.preparedQuery(sql).execute(Tuple.from(params)));
    }

    private static Uni<RowSet<Row>> timed(Uni<RowSet<Row>> lazyStatement) {
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return lazyStatement.onItem().invoke(() -> Phases.since(Phases.DB_STATEMENT, start));
        });
    }

    private record Open(SqlConnection conn, Transaction tx) {}

    /** A connection with a begun transaction, retried like {@link #connect()}: BEGIN on a stale connection fails. */
    private Open openTransaction() {
        return retryingUnavailable(() -> {
            long start = System.nanoTime();
            SqlConnection conn = await(pool.getConnection());
            Phases.since(Phases.DB_ACQUIRE, start);
            try {
                return new Open(conn, await(conn.begin()));
            } catch (RuntimeException e) {
                closeQuietly(conn);
                throw e;
            }
        });
    }

    /**
     * A connection from the pool. While PostgreSQL restarts (or a pooled connection died with it) getting one
     * fails for a moment: retried {@value #CONNECT_ATTEMPTS} times with a doubling pause (about 1.5 s in all) inside
     * the request before it is answered 503.
     */
    public SqlConnection connect() {
        return retryingUnavailable(() -> {
            long start = System.nanoTime();
            SqlConnection conn = await(pool.getConnection());
            Phases.since(Phases.DB_ACQUIRE, start);
            return conn;
        });
    }

    static final int CONNECT_ATTEMPTS = 5;
    static final long FIRST_PAUSE_MILLIS = 100;

    private static <T> T retryingUnavailable(java.util.function.Supplier<T> attempt) {
        long pause = FIRST_PAUSE_MILLIS;
        for (int i = 1; ; i++) {
            try {
                return attempt.get();
            } catch (RuntimeException e) {
                if (!PgErrors.isUnavailable(e)) {
                    throw e;
                }
                if (i >= CONNECT_ATTEMPTS) {
                    throw new DatabaseUnavailableException("the database is unavailable", e, false);
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new DatabaseUnavailableException("interrupted while waiting for the database", e, false);
                }
                pause *= 2;
            }
        }
    }

    private static RuntimeException unavailableOr(RuntimeException e, String message) {
        if (e instanceof DatabaseUnavailableException || !PgErrors.isUnavailable(e)) {
            return e;
        }
        return new DatabaseUnavailableException(message, e, false);
    }

    private static void closeQuietly(SqlConnection conn) {
        try {
            long start = System.nanoTime();
            conn.closeAndAwait();
            Phases.since(Phases.DB_RELEASE, start);
        } catch (RuntimeException ignored) {
            // a connection lost with the server is already gone; the pool forgets it
        }
    }

    public static RowSet<Row> query(SqlClient client, String sql, Object... params) {
        return await(statement(client, sql, params));
    }

    public static RowSet<Row> query(SqlClient client, String sql, List<Object> params) {
        return await(statement(client, sql, params));
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
