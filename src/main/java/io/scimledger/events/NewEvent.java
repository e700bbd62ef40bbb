package io.scimledger.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * An event about to be appended. The payload is already in log form: personal values sealed, passwords absent.
 *
 * @param version the stream version this event creates; the append fails if another writer took it first
 */
public record NewEvent(EventType type, UUID streamId, long version, ObjectNode payload) {

    public StreamType streamType() {
        return type.streamType();
    }
}
