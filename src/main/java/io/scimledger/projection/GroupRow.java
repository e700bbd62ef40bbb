package io.scimledger.projection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/** A group as the read model holds it, without members (they live in group_membership). */
public record GroupRow(UUID id, ObjectNode doc, long version, Instant created, Instant lastModified) {
}
