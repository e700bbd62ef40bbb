package io.scimledger.write;

import com.fasterxml.jackson.databind.JsonNode;
import io.scimledger.events.RequestOrigin;
import io.scimledger.projection.ResourceRow;
import java.util.UUID;

/**
 * The write path of one resource type: each call validates, then appends events and updates projections in one
 * transaction (see {@link WriteTransactions}). {@link UserWriter} and {@link GroupWriter} implement it.
 */
public interface ResourceWriter {

    ResourceRow create(RequestOrigin origin, JsonNode body);

    /** PUT: replaces the resource; {@code ifMatch} is the If-Match header or null. */
    ResourceRow replace(RequestOrigin origin, UUID id, JsonNode body, String ifMatch);

    ResourceRow patch(RequestOrigin origin, UUID id, JsonNode body, String ifMatch);

    void delete(RequestOrigin origin, UUID id, String ifMatch);
}
