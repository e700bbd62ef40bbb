package io.scimledger.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/** One row of the event log, as written. {@code txId} is the PostgreSQL xid8 as text (null until read back). */
public record StoredEvent(
        long position,
        String txId,
        UUID eventId,
        String tenant,
        StreamType streamType,
        UUID streamId,
        long version,
        EventType type,
        int schemaVersion,
        Instant occurredAt,
        String actorSubject,
        String actorClientId,
        String requestId,
        String clientAddress,
        UUID txnId,
        ObjectNode payload,
        byte[] prevHash,
        byte[] hash) {}
