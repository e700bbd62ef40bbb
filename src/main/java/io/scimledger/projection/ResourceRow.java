package io.scimledger.projection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A user or group as the read model holds it: the stored-form resource (for groups without members, which live in
 * group_membership) plus what meta needs.
 */
public record ResourceRow(UUID id, ObjectNode doc, long version, Instant created, Instant lastModified) {}
