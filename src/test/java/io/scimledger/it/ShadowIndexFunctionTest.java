package io.scimledger.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The per-table index function of the rebuild (migration V10) runs as the owner, so the service role must only be
 * able to name a table of the fixed projection list with it: never the log, never SQL.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class ShadowIndexFunctionTest {

    @Test
    void theServiceRoleCanIndexOnlyShadowProjectionTables() throws SQLException {
        try (Connection app = Db.app();
                Statement st = app.createStatement()) {
            app.setAutoCommit(true);
            for (String name : new String[] {"event", "data_key", "scim_user; DROP TABLE event", "projection_tables"}) {
                SQLException e = assertThrows(
                        SQLException.class,
                        () -> st.execute("SELECT projection_shadow_index('" + name.replace("'", "''") + "')"));
                assertTrue(e.getMessage().contains("not a projection table"), name + ": " + e.getMessage());
            }
            SQLException e = assertThrows(SQLException.class, () -> st.execute("SELECT projection_shadow_index(NULL)"));
            assertTrue(e.getMessage().contains("not a projection table"), e.getMessage());
        }
    }
}
