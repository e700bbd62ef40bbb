package io.scimledger.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/** Direct JDBC access for assertions on the log itself, as the owner role or as the service's own role. */
public final class Db {

    private Db() {}

    public static Connection owner() throws SQLException {
        return connect("scim.db.owner-user", "scim.db.owner-password");
    }

    public static Connection app() throws SQLException {
        return connect("scim.db.app-user", "scim.db.app-password");
    }

    private static Connection connect(String userKey, String passwordKey) throws SQLException {
        var c = ConfigProvider.getConfig();
        String url = "jdbc:postgresql://" + c.getValue("scim.db.host", String.class) + ":"
                + c.getValue("scim.db.port", String.class) + "/" + c.getValue("scim.db.name", String.class);
        return DriverManager.getConnection(
                url, c.getValue(userKey, String.class), c.getValue(passwordKey, String.class));
    }

    public static long count(String sql, Object... params) {
        return ((Number) rows(sql, params).get(0).values().iterator().next()).longValue();
    }

    public static List<Map<String, Object>> rows(String sql, Object... params) {
        try (Connection c = owner();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    out.add(row);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Consumes transaction ids, each in its own empty committed transaction, until the next id PostgreSQL assigns is
     * {@code 10^k - margin} for the nearest power of ten with room for it. Writes made right after this get ids on
     * both sides of a change in the number of digits, where text order and numeric order of ids differ.
     *
     * @return the power of ten, {@code 10^k}
     */
    public static long advanceTransactionIdsToJustBelowPowerOfTen(int margin) {
        try (Connection c = owner();
                var st = c.createStatement()) {
            long next;
            try (ResultSet rs = st.executeQuery("SELECT pg_current_xact_id()::text::bigint + 1")) {
                rs.next();
                next = rs.getLong(1);
            }
            long power = 10;
            while (power - margin < next) {
                power *= 10;
            }
            long burn = power - margin - next;
            if (burn > 1_000_000) { // a test cluster is fresh; this many would mean something else is wrong
                throw new IllegalStateException("next transaction id " + next + " is too far below " + power);
            }
            if (burn > 0) {
                st.execute("DO $$ BEGIN FOR i IN 1.." + burn + " LOOP PERFORM pg_current_xact_id(); COMMIT; "
                        + "END LOOP; END $$");
            }
            return power;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The tenant's events in the log. Assertions count one tenant's events, never the whole log: other tests (and
     * their relay and checkpoint work) write to the same database, and a global count makes tests depend on each other.
     */
    /** The tenant's provisioning events (its User and Group streams; not its own administration's stream). */
    public static long eventCount(String tenant) {
        return count("SELECT count(*) FROM event WHERE tenant_id = ? AND stream_type <> 'Tenant'", tenant);
    }

    /**
     * Tampers with the log as only a privileged database user can: rewrites one event's actor with the append-only
     * trigger switched off for the moment, as an attacker with the owner role would. For tests of chain verification.
     */
    public static void tamperActor(java.util.UUID eventId, String actor) {
        try (Connection owner = owner()) {
            owner.setAutoCommit(false);
            try (var st = owner.createStatement();
                    PreparedStatement ps =
                            owner.prepareStatement("UPDATE event SET actor_subject = ? WHERE event_id = ?")) {
                st.execute("ALTER TABLE event DISABLE TRIGGER USER");
                ps.setString(1, actor);
                ps.setObject(2, eventId);
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("no event " + eventId);
                }
                st.execute("ALTER TABLE event ENABLE TRIGGER USER");
            }
            owner.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
