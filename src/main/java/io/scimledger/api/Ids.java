package io.scimledger.api;

import io.scimledger.scim.ScimException;
import java.util.UUID;

/** Resource ids are UUIDs we assigned; anything else cannot name a resource, so it is a 404, not a 400. */
final class Ids {

    private Ids() {
    }

    static UUID parse(String id, String type) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ScimException.notFound(type + " " + id + " not found");
        }
    }
}
