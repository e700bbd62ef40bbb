package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;
import static io.scimledger.api.ScimMediaType.SCIM_JSON;

import io.scimledger.bulk.BulkProcessor;
import io.scimledger.bulk.BulkRequest;
import io.scimledger.security.Caller;
import io.scimledger.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;

/**
 * /Bulk (RFC 7644 section 3.7): many writes in one request, each run by {@link BulkProcessor} as its own
 * transaction. Requests beyond the advertised maxPayloadSize or maxOperations are refused with 413 before any
 * operation runs (section 3.7.4).
 */
@Path("/scim/v2/Bulk")
@Produces({SCIM_JSON, JSON})
public class BulkResource {

    @Inject
    Caller caller;

    @Inject
    BaseUrl baseUrl;

    @Inject
    BulkProcessor processor;

    @POST
    @Consumes({SCIM_JSON, JSON})
    @RolesAllowed(Scopes.SCIM_WRITE)
    public Response bulk(String body) {
        if (body != null && body.getBytes(StandardCharsets.UTF_8).length > BulkProcessor.MAX_PAYLOAD_SIZE) {
            return ScimResponses.error(
                    413,
                    null,
                    "the bulk request is larger than maxPayloadSize (" + BulkProcessor.MAX_PAYLOAD_SIZE + " bytes)");
        }
        BulkRequest request = BulkRequest.parse(ScimResponses.parseBody(body));
        if (request.operations().size() > BulkProcessor.MAX_OPERATIONS) {
            return ScimResponses.error(
                    413,
                    null,
                    "the bulk request has " + request.operations().size() + " operations; maxOperations is "
                            + BulkProcessor.MAX_OPERATIONS);
        }
        return ScimResponses.json(200, processor.process(caller.origin(), baseUrl.get(), request))
                .build();
    }
}
