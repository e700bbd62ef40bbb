package io.scimledger.testinfra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts one private PostgreSQL cluster (fast, non-durable settings) per test JVM, however many test classes
 * reference this resource, and stops it at JVM exit.
 *
 * <pre>@WithTestResource(PostgresTestResource.class)</pre>
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    /** The JVM-wide shared cluster, started on first use (see {@link LocalPostgres#sharedFast()}). */
    public static LocalPostgres postgres() {
        return LocalPostgres.sharedFast();
    }

    @Override
    public Map<String, String> start() {
        LocalPostgres pg = postgres();
        return Map.of(
                "scim.db.host", pg.host(),
                "scim.db.port", Integer.toString(pg.port()),
                "scim.db.name", pg.database(),
                "scim.db.app-user", LocalPostgres.APP_USER,
                "scim.db.app-password", LocalPostgres.APP_PASSWORD,
                "scim.db.owner-user", LocalPostgres.OWNER_USER,
                "scim.db.owner-password", LocalPostgres.OWNER_PASSWORD);
    }

    @Override
    public void stop() {
        // Shared by all test classes of this JVM: stopped by the shutdown hook, not per class.
    }
}
