package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.db.Database;
import io.scimledger.events.EventStore;
import io.scimledger.events.EventType;
import io.scimledger.events.NewEvent;
import io.scimledger.events.RequestOrigin;
import io.scimledger.privacy.DataKey;
import io.scimledger.privacy.DataKeyStore;
import io.scimledger.privacy.PersonalDataCipher;
import io.scimledger.scim.schema.ScimSchemas;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A quick local measurement of the rebuild's rate, not a bar (bench/ measures the packaged service): run with
 * {@code -Drebuild.rate.events=200000 -Dtest=RebuildRateTest}. It appends a log shaped like provisioning (users
 * created with sealed personal values, half of them patched, groups of 50 members) through the service's own event
 * store and key store, then rebuilds and prints the report. Skipped without the property.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class RebuildRateTest {

    private static final Logger LOG = Logger.getLogger(RebuildRateTest.class);
    private static final int USERS_PER_TRANSACTION = 500;

    @Inject
    Database db;

    @Inject
    EventStore events;

    @Inject
    DataKeyStore dataKeys;

    @Test
    void rebuildRate() {
        String wanted = System.getProperty("rebuild.rate.events");
        Assumptions.assumeTrue(wanted != null, "set -Drebuild.rate.events=N to measure");
        long target = Long.parseLong(wanted);
        String t = "rate-" + UUID.randomUUID();
        Scim.idp(t).get("/scim/v2/Users?count=0").then().statusCode(200); // registers the tenant
        long appended = 0;
        int n = 0;
        long start = System.nanoTime();
        while (appended < target) {
            List<UUID> batchUsers = new ArrayList<>();
            int from = n;
            appended += db.inTransaction(conn -> {
                RequestOrigin origin = new RequestOrigin(t, "rate", "rate", "rate", "127.0.0.1", Instant.now());
                List<NewEvent> out = new ArrayList<>();
                List<DataKey> keys = new ArrayList<>();
                for (int i = from; i < from + USERS_PER_TRANSACTION; i++) {
                    UUID id = UUID.randomUUID();
                    DataKey key = dataKeys.generate(id);
                    keys.add(key);
                    batchUsers.add(id);
                    out.add(new NewEvent(EventType.UserCreated, id, 1, payload(user(i, "Engineer"), key)));
                    if (i % 2 == 0) {
                        out.add(new NewEvent(EventType.UserPatched, id, 2, payload(user(i, "Manager"), key)));
                    }
                }
                for (int g = 0; g < USERS_PER_TRANSACTION / 50; g++) {
                    UUID group = UUID.randomUUID();
                    ObjectNode state = JsonNodeFactory.instance.objectNode();
                    state.putArray("schemas").add(ScimSchemas.GROUP_URN);
                    state.put("displayName", "group " + from + "-" + g);
                    ObjectNode created = JsonNodeFactory.instance.objectNode();
                    created.set("state", state);
                    out.add(new NewEvent(EventType.GroupCreated, group, 1, created));
                    ObjectNode added = JsonNodeFactory.instance.objectNode();
                    var members = added.putArray("members");
                    for (UUID m : batchUsers.subList(g * 50, g * 50 + 50)) {
                        members.addObject().put("value", m.toString()).put("type", "User");
                    }
                    out.add(new NewEvent(EventType.GroupMembersAdded, group, 2, added));
                }
                events.append(conn, origin, UUID.randomUUID(), out);
                for (DataKey key : keys) {
                    dataKeys.store(conn, t, key);
                }
                return (long) out.size();
            });
            n += USERS_PER_TRANSACTION;
        }
        LOG.infof("rate: appended %d events in %d ms", appended, (System.nanoTime() - start) / 1_000_000);
        long log = Db.count("SELECT count(*) FROM event");
        var report = given().auth()
                .oauth2(Tokens.admin())
                .post("/admin/projections/rebuild")
                .then()
                .statusCode(200)
                .extract();
        LOG.infof("rate: rebuild of %d events: %s", log, report.asString());
        assertEquals(log, report.<Integer>path("eventsReplayed").longValue());
        assertEquals(n, Db.count("SELECT count(*) FROM scim_user WHERE tenant_id = ?", t));
    }

    private static ObjectNode user(int i, String title) {
        ObjectNode u = JsonNodeFactory.instance.objectNode();
        u.putArray("schemas").add(ScimSchemas.USER_URN);
        u.put("userName", "user" + i + "@example.com");
        u.put("externalId", "ext-" + i);
        u.putObject("name").put("givenName", "Given" + i).put("familyName", "Family" + i);
        u.put("displayName", "Given" + i + " Family" + i);
        u.put("title", title);
        u.put("active", true);
        u.putArray("emails")
                .addObject()
                .put("value", "user" + i + "@example.com")
                .put("type", "work")
                .put("primary", true);
        return u;
    }

    private static ObjectNode payload(ObjectNode state, DataKey key) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.set("state", PersonalDataCipher.sealResource(ScimSchemas.USER_TYPE, state, key));
        return p;
    }
}
