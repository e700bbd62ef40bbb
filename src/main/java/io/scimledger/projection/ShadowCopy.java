package io.scimledger.projection;

import io.scimledger.db.DatabaseUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Properties;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The rebuild's bulk rows, into the shadow tables with PostgreSQL's {@code COPY ... FROM STDIN}, over one JDBC
 * connection as the service's own role (COPY FROM needs only INSERT on the table).
 *
 * <p>Why a second kind of connection: the reactive client has no COPY (vertx-sql-client issue #153), and an
 * {@code INSERT ... SELECT FROM unnest(...)} inserts row by row, one WAL record each, while COPY inserts a page's worth
 * of rows at a time (docs/decisions/0012, "Measured"). The connection uses the settings the schema migrations use
 * ({@code scim.db.host}, {@code port}, {@code name}, {@code app-user}, {@code app-password}); each COPY is its own
 * transaction (autocommit), like the chunks it replaces. Used by one thread at a time (the fold's writer).
 */
final class ShadowCopy implements AutoCloseable {

    private final Connection connection;
    private final CopyManager copy;

    private ShadowCopy(Connection connection) throws SQLException {
        this.connection = connection;
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
    }

    static ShadowCopy open(String host, int port, String database, String user, String password) {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("ApplicationName", "scim-ledger rebuild");
        try {
            // the driver itself, not DriverManager: no service lookup at run time (native-image friendly)
            Connection c = new org.postgresql.Driver()
                    .connect("jdbc:postgresql://" + host + ":" + port + "/" + database, props);
            if (c == null) {
                throw new IllegalStateException("the PostgreSQL JDBC driver refused its own URL");
            }
            try {
                return new ShadowCopy(c);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        } catch (SQLException e) {
            throw failure("could not connect for the rebuild's bulk copy", e);
        }
    }

    /** Copies {@code rows} into {@code projection_shadow.<table> (<columns>)}; returns the number of rows. */
    long copy(String table, String columns, Rows rows) {
        if (rows.count == 0) {
            return 0;
        }
        String sql = "COPY projection_shadow." + table + " (" + columns + ") FROM STDIN";
        try {
            return copy.copyIn(
                    sql, new ByteArrayInputStream(rows.text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (SQLException e) {
            throw failure("the rebuild's bulk copy into " + table + " failed", e);
        } catch (IOException e) {
            throw new IllegalStateException("the rebuild's bulk copy into " + table + " failed", e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // nothing was left uncommitted: every COPY committed or failed on its own
        }
    }

    /**
     * A lost or refused connection is "database unavailable" (503, retry later); anything else is a failure. Only
     * the SQLSTATE and the server's primary message are kept, not the exception: its detail and context quote the
     * row COPY refused, which holds personal values in clear, and the failure is logged. (PostgreSQL's own log
     * quotes the start of that line too, as the CONTEXT of the error. The rows are the service's own output, made
     * from authenticated plaintexts into unindexed tables, so a refused row is a bug, not an input to expect.)
     */
    private static RuntimeException failure(String what, SQLException e) {
        String state = e.getSQLState();
        String message = e instanceof org.postgresql.util.PSQLException pg && pg.getServerErrorMessage() != null
                ? pg.getServerErrorMessage().getMessage()
                : e.getClass().getSimpleName();
        String described = what + " (SQLSTATE " + state + ": " + message + ")";
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
            return new DatabaseUnavailableException(described, null, false);
        }
        return new IllegalStateException(described);
    }

    /** Rows in COPY's text format: tab between columns, a newline after each row, {@code \N} for NULL. */
    static final class Rows {

        private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

        private final StringBuilder text;
        private boolean rowStarted;
        private int count;

        Rows(int expectedRows, int bytesPerRow) {
            this.text = new StringBuilder(expectedRows * bytesPerRow);
        }

        Rows text(String value) {
            separate();
            if (value == null) {
                text.append("\\N");
                return this;
            }
            // most values need no escape: copied in runs, not a character at a time (half a million documents)
            int from = 0;
            for (int i = 0, n = value.length(); i < n; i++) {
                String escape = switch (value.charAt(i)) {
                    case '\\' -> "\\\\";
                    case '\t' -> "\\t";
                    case '\n' -> "\\n";
                    case '\r' -> "\\r";
                    default -> null;
                };
                if (escape != null) {
                    text.append(value, from, i).append(escape);
                    from = i + 1;
                }
            }
            text.append(value, from, value.length());
            return this;
        }

        Rows uuid(UUID value) {
            separate();
            text.append(value);
            return this;
        }

        Rows number(long value) {
            separate();
            text.append(value);
            return this;
        }

        Rows bool(Boolean value) {
            separate();
            text.append(value == null ? "\\N" : value ? "t" : "f");
            return this;
        }

        /** A timestamptz given as microseconds since the epoch (PostgreSQL's precision). */
        Rows time(long epochMicros) {
            separate();
            Instant at = Instant.ofEpochSecond(
                    Math.floorDiv(epochMicros, 1_000_000), Math.floorMod(epochMicros, 1_000_000) * 1_000L);
            TIMESTAMP.formatTo(at.atOffset(ZoneOffset.UTC), text);
            return this;
        }

        Rows endRow() {
            text.append('\n');
            rowStarted = false;
            count++;
            return this;
        }

        int count() {
            return count;
        }

        /** The rows as they are sent. */
        @Override
        public String toString() {
            return text.toString();
        }

        private void separate() {
            if (rowStarted) {
                text.append('\t');
            }
            rowStarted = true;
        }
    }
}
