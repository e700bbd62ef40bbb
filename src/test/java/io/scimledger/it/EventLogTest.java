package io.scimledger.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.events.EventType;
import io.scimledger.events.HashChain;
import io.scimledger.events.JsonSupport;
import io.scimledger.events.StoredEvent;
import io.scimledger.events.StreamType;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The database itself keeps the log append-only (for the service role and the owner alike), and every stream is
 * hash-chained.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class EventLogTest {

    @Test
    void theServiceRoleCannotUpdateDeleteOrTruncateTheLog() throws SQLException {
        Scim.createUser("log-" + UUID.randomUUID(), "someone");
        try (Connection app = Db.app();
                Statement st = app.createStatement()) {
            app.setAutoCommit(true);
            assertDenied(st, "UPDATE event SET event_type = 'UserDeleted'");
            assertDenied(st, "DELETE FROM event");
            assertDenied(st, "TRUNCATE event");
        }
    }

    @Test
    void evenTheOwnerIsStoppedByTheTriggers() throws SQLException {
        String t = "log-" + UUID.randomUUID();
        Scim.createUser(t, "someone");
        long before = Db.eventCount(t);
        assertEquals(1, before);
        try (Connection owner = Db.owner();
                Statement st = owner.createStatement()) {
            owner.setAutoCommit(true);
            SQLException update =
                    assertThrows(SQLException.class, () -> st.executeUpdate("UPDATE event SET tenant_id = 'x'"));
            assertTrue(update.getMessage().contains("append-only"), update.getMessage());
            SQLException delete = assertThrows(SQLException.class, () -> st.executeUpdate("DELETE FROM event"));
            assertTrue(delete.getMessage().contains("append-only"), delete.getMessage());
            SQLException truncate = assertThrows(SQLException.class, () -> st.executeUpdate("TRUNCATE event"));
            assertTrue(truncate.getMessage().contains("append-only"), truncate.getMessage());
        }
        assertEquals(before, Db.eventCount(t));
    }

    @Test
    void eachStreamIsAVerifiableHashChain() {
        String t = "chain-" + UUID.randomUUID();
        String id = Scim.createUser(t, "chained");
        for (int i = 0; i < 3; i++) {
            Scim.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"v" + i + "\"}]")
                    .statusCode(200);
        }
        var rows = Db.rows(
                "SELECT * , payload::text AS payload_text FROM event WHERE stream_id = ?::uuid "
                        + "ORDER BY stream_version",
                id);
        assertEquals(4, rows.size());
        byte[] prev = null;
        for (var r : rows) {
            StoredEvent e = fromJdbc(r);
            if (e.version() == 1) {
                assertNull(e.prevHash());
            } else {
                assertArrayEquals(prev, e.prevHash(), "each event names its predecessor's hash");
            }
            assertTrue(HashChain.verifies(e, prev), "hash of version " + e.version() + " must verify");
            prev = e.hash();
        }
        // Any alteration of content breaks the link: recompute with one changed field.
        StoredEvent first = fromJdbc(rows.get(1));
        StoredEvent altered = new StoredEvent(
                first.position(),
                first.txId(),
                first.eventId(),
                first.tenant(),
                first.streamType(),
                first.streamId(),
                first.version(),
                first.type(),
                first.schemaVersion(),
                first.occurredAt(),
                "someone-else",
                first.actorClientId(),
                first.requestId(),
                first.clientAddress(),
                first.txnId(),
                first.payload(),
                first.prevHash(),
                first.hash());
        assertTrue(!HashChain.verifies(altered, first.prevHash()));
    }

    private static StoredEvent fromJdbc(java.util.Map<String, Object> r) {
        ObjectNode payload = (ObjectNode) JsonSupport.toJsonNode((String) r.get("payload_text"));
        return new StoredEvent(
                ((Number) r.get("position")).longValue(),
                null,
                (UUID) r.get("event_id"),
                (String) r.get("tenant_id"),
                StreamType.valueOf((String) r.get("stream_type")),
                (UUID) r.get("stream_id"),
                ((Number) r.get("stream_version")).longValue(),
                EventType.valueOf((String) r.get("event_type")),
                ((Number) r.get("schema_version")).intValue(),
                ((java.sql.Timestamp) r.get("occurred_at")).toInstant(),
                (String) r.get("actor_subject"),
                (String) r.get("actor_client_id"),
                (String) r.get("request_id"),
                (String) r.get("client_address"),
                (UUID) r.get("txn_id"),
                payload,
                (byte[]) r.get("prev_hash"),
                (byte[]) r.get("hash"));
    }

    private static void assertDenied(Statement st, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> st.executeUpdate(sql), sql);
        assertEquals("42501", e.getSQLState(), sql + " must fail with insufficient_privilege: " + e.getMessage());
    }
}
