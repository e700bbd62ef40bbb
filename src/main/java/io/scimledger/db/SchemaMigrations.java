package io.scimledger.db;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Singleton;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * Applies the Flyway migrations in {@code db/migration} before anything touches the database. Runs as the owner
 * role, which is the only role allowed to change the schema; the service's own role gets only the grants the
 * migrations give it (see V1: SELECT and INSERT on the event log, nothing more).
 */
@Startup
@Singleton
public class SchemaMigrations {

    private static final Logger LOG = Logger.getLogger(SchemaMigrations.class);

    @ConfigProperty(name = "scim.db.migrate-at-start")
    boolean migrateAtStart;

    @ConfigProperty(name = "scim.db.host")
    String host;

    @ConfigProperty(name = "scim.db.port")
    int port;

    @ConfigProperty(name = "scim.db.name")
    String database;

    @ConfigProperty(name = "scim.db.owner-user")
    String owner;

    @ConfigProperty(name = "scim.db.owner-password")
    String ownerPassword;

    @ConfigProperty(name = "scim.db.app-user")
    String appRole;

    @PostConstruct
    void migrate() {
        if (!migrateAtStart) {
            return;
        }
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + database;
        var result = Flyway.configure(Thread.currentThread().getContextClassLoader())
                .dataSource(url, owner, ownerPassword)
                .locations("classpath:db/migration")
                .placeholders(Map.of("app_role", appRole))
                .connectRetries(10)
                .load()
                .migrate();
        LOG.infof(
                "database schema at version %s (%d migrations applied)",
                result.targetSchemaVersion, result.migrationsExecuted);
    }
}
