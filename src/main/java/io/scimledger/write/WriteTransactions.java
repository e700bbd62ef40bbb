package io.scimledger.write;

import io.scimledger.db.Database;
import io.scimledger.db.DatabaseUnavailableException;
import io.scimledger.events.StreamConflictException;
import io.scimledger.ops.WriteMetrics;
import io.scimledger.scim.ScimException;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Runs one SCIM write as one transaction and retries it, in a new transaction, when another writer appended to the
 * same stream first. The retry re-reads the resource, so no update is ever lost; a write that carried If-Match
 * then fails with 412 on re-read because the version moved.
 *
 * <p>A connection lost in the middle of the transaction (PostgreSQL restarting) is retried the same way, at most
 * {@value #MAX_UNAVAILABLE_RETRIES} times: the transaction rolled back, so nothing happened yet. A connection lost
 * while COMMIT was in flight is never retried (the write may have committed): the client gets 503.
 */
@ApplicationScoped
public class WriteTransactions {

    private static final Logger LOG = Logger.getLogger(WriteTransactions.class);
    static final int MAX_ATTEMPTS = 30;
    static final int MAX_UNAVAILABLE_RETRIES = 2;

    private final Database db;
    private final WriteMetrics metrics;

    public WriteTransactions(Database db, WriteMetrics metrics) {
        this.db = db;
        this.metrics = metrics;
    }

    public <T> T run(Function<SqlConnection, T> work) {
        int unavailableRetries = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                return db.inTransaction(work);
            } catch (DatabaseUnavailableException lost) {
                if (lost.outcomeUnknown() || unavailableRetries >= MAX_UNAVAILABLE_RETRIES) {
                    throw lost;
                }
                unavailableRetries++;
                LOG.debugf("database connection lost before commit; running the write again (%s)", lost.getMessage());
                pause(100L << unavailableRetries);
            } catch (StreamConflictException conflict) {
                metrics.conflict();
                if (attempt >= MAX_ATTEMPTS) {
                    metrics.gaveUp();
                    LOG.warnf("giving up after %d conflicting attempts: %s", attempt, conflict.getMessage());
                    throw new ScimException(503, null, "the resource is being changed concurrently; retry later");
                }
                backOff(attempt);
                metrics.retry();
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScimException(503, null, "interrupted while retrying a write");
        }
    }

    private static void backOff(int attempt) {
        long maxMillis = Math.min(50, 1L << Math.min(attempt, 6));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(maxMillis + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScimException(503, null, "interrupted while retrying a concurrent write");
        }
    }
}
