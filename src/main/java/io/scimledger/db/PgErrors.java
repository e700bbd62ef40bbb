package io.scimledger.db;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;

/** Recognises the PostgreSQL errors the write path turns into SCIM answers or retries. */
public final class PgErrors {

    public static final String UNIQUE_VIOLATION = "23505";

    /**
     * SQLSTATEs of a server that is going away or not there yet: admin_shutdown (57P01, {@code pg_ctl stop/restart
     * -m fast}), crash_shutdown (57P02), cannot_connect_now (57P03, starting up or shutting down), and class 08
     * (connection exceptions) which is matched by prefix.
     */
    private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03");

    private PgErrors() {}

    /** True if {@code e} (or a cause) is a unique violation of the named constraint. */
    public static boolean isUniqueViolation(Throwable e, String constraint) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg
                    && UNIQUE_VIOLATION.equals(pg.getSqlState())
                    && (constraint == null || constraint.equals(pg.getConstraint()))) {
                return true;
            }
        }
        return false;
    }

    /** True if {@code e} (or a cause) is a lock wait that ran past {@code lock_timeout} (55P03, lock_not_available). */
    public static boolean isLockTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg && "55P03".equals(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    /** True if {@code e} (or a cause) is PostgreSQL's deadlock detector aborting this transaction (40P01). */
    public static boolean isDeadlock(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PgException pg && "40P01".equals(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Some driver paths report a lost connection only in words, as a plain VertxException or NoStackTraceThrowable:
     * "Connection is not active now, current status: CLOSED" (BEGIN on a pooled connection the server just
     * closed), "Failed to read any response from the server, the underlying connection may have been lost". Netty's
     * native transport reports a reset as an IOException "recvAddress(..) failed: Connection reset by peer" (seen
     * once in MultiInstanceIT while PostgreSQL restarted: a 500 where a 503 was due).
     */
    private static boolean isLostConnectionMessage(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("connection is not active")
                || m.contains("connection reset")
                || m.contains("broken pipe")
                || (m.contains("connection") && (m.contains("closed") || m.contains("may have been lost")));
    }

    /**
     * True if {@code e} (or a cause) says the database is unreachable, restarting or dropped the connection: the
     * failures a client should simply retry (503), as opposed to a bug or a refused statement.
     */
    public static boolean isUnavailable(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
            if (t instanceof DatabaseUnavailableException
                    || t instanceof ConnectException
                    || t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException
                    || t instanceof ClosedConnectionException
                    || t instanceof ClosedChannelException
                    || t instanceof java.net.SocketException
                    || t instanceof io.netty.channel.ConnectTimeoutException
                    || t instanceof io.smallrye.mutiny.TimeoutException) {
                return true;
            }
            if (t instanceof PgException pg
                    && pg.getSqlState() != null
                    && (UNAVAILABLE_STATES.contains(pg.getSqlState())
                            || pg.getSqlState().startsWith("08"))) {
                return true;
            }
            if (isLostConnectionMessage(t.getMessage())) {
                return true;
            }
        }
        return false;
    }
}
