package io.scimledger.db;

/**
 * PostgreSQL cannot be reached, is restarting, or dropped the connection: the request is answered {@code 503} with
 * {@code Retry-After} (never 500), because the same request will very likely succeed a moment later.
 *
 * <p>{@link #outcomeUnknown()} is true when the connection was lost after COMMIT was sent: the transaction may have
 * committed or not, so nothing is retried inside the service; a client that retries a create may then get 409
 * (uniqueness) because its first attempt did commit (docs/operations.md, "Failure modes").
 */
public class DatabaseUnavailableException extends RuntimeException {

    private final boolean outcomeUnknown;

    public DatabaseUnavailableException(String message, Throwable cause, boolean outcomeUnknown) {
        super(message, cause);
        this.outcomeUnknown = outcomeUnknown;
    }

    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }
}
