package io.scimledger.events;

import java.time.Instant;

/**
 * Who asked for a change and through which request: recorded in the envelope of every event, in clear, so the
 * audit trail can always say who did what when, even after a person's data was erased.
 *
 * @param tenant        the tenant the request acts in (from the token)
 * @param subject       the token's subject
 * @param clientId      the OAuth client that obtained the token (azp / client_id claim), if any
 * @param requestId     the X-Request-Id header, or one we generated
 * @param clientAddress the remote address of the HTTP client
 * @param receivedAt    when the service received the request (recorded in the payload's request object, so the
 *                      audit trail can tell how long a deprovisioning took to take effect); null if unknown
 */
public record RequestOrigin(
        String tenant, String subject, String clientId, String requestId, String clientAddress, Instant receivedAt) {}
