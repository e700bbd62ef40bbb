package io.scimledger.events;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * An event without its hashes and request columns, for readers that fold the whole log (the projection rebuild).
 * {@code payload} is the payload's JSON text when the reader asked for it for this event, else null.
 */
public record EventHeader(
        long position,
        String tenant,
        StreamType streamType,
        UUID streamId,
        long version,
        EventType type,
        OffsetDateTime occurredAt,
        String payload) {}
