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

    private Db() {
    }

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
        return DriverManager.getConnection(url, c.getValue(userKey, String.class), c.getValue(passwordKey, String.class));
    }

    public static long count(String sql, Object... params) {
        return ((Number) rows(sql, params).get(0).values().iterator().next()).longValue();
    }

    public static List<Map<String, Object>> rows(String sql, Object... params) {
        try (Connection c = owner(); PreparedStatement ps = c.prepareStatement(sql)) {
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

    public static long eventCount() {
        return count("SELECT count(*) FROM event");
    }
}
