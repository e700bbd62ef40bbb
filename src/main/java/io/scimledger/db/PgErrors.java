package io.scimledger.db;

import io.vertx.pgclient.PgException;

/** Recognises the PostgreSQL errors the write path turns into SCIM answers or retries. */
public final class PgErrors {

    public static final String UNIQUE_VIOLATION = "23505";

    private PgErrors() {
    }

    /** True if {@code e} (or a cause) is a unique violation of the named constraint. */
    public static boolean isUniqueViolation(Throwable e, String constraint) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
                    && (constraint == null || constraint.equals(pg.getConstraint()))) {
                return true;
            }
        }
        return false;
    }
}
