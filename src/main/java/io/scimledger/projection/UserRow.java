package io.scimledger.projection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/** A user as the read model holds it: the stored-form resource plus what meta needs. */
public record UserRow(UUID id, ObjectNode doc, long version, Instant created, Instant lastModified) {
}
