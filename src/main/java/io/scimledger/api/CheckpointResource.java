package io.scimledger.api;

import static io.scimledger.api.ScimMediaType.JSON;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.audit.CheckpointKeys;
import io.scimledger.audit.CheckpointRenderer;
import io.scimledger.audit.CheckpointTable;
import io.scimledger.audit.CheckpointVerifier;
import io.scimledger.scim.ScimException;
import io.scimledger.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.Base64;

/**
 * The signed checkpoints (docs/decisions/0009-signed-checkpoints.md): list them, fetch the public key, verify them.
 * Global over the whole log, yet they reveal no tenant's data (ranges, counts, roots only): readable with
 * {@value Scopes#AUDIT_READ} or {@value Scopes#ADMIN}. Same root path as {@link AuditResource}, which holds the
 * tenant's audit questions.
 */
@Path("/audit")
@Produces({JSON, ScimMediaType.SCIM_JSON})
@RolesAllowed({Scopes.AUDIT_READ, Scopes.ADMIN})
public class CheckpointResource {

    @Inject
    CheckpointTable checkpoints;

    @Inject
    CheckpointVerifier verifier;

    @Inject
    CheckpointKeys keys;

    @GET
    @Path("checkpoints")
    public Response list(@QueryParam("after") String after, @QueryParam("limit") String limit) {
        long afterId = AuditResource.parseLong("after", after, 0, 0, Long.MAX_VALUE);
        int max = (int) AuditResource.parseLong("limit", limit, 100, 1, 1000);
        ObjectNode out = CheckpointRenderer.page(checkpoints.page(afterId, max + 1), afterId, max);
        if (out.has("nextAfter")) {
            out.put("next", "/audit/checkpoints?after=" + out.get("nextAfter").asLong() + "&limit=" + max);
        }
        return AuditResource.json(out);
    }

    @GET
    @Path("checkpoints/key")
    public Response key() {
        var key = keys.publicKey()
                .orElseThrow(() -> ScimException.notFound(
                        "no checkpoint public key is configured (scim.audit.checkpoint-public-key)"));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("keyId", keys.keyId());
        out.put("algorithm", "Ed25519");
        out.put("publicKey", Base64.getEncoder().encodeToString(key.getEncoded()));
        out.put("pem", keys.publicKeyPem().orElseThrow());
        out.put("signing", keys.canSign());
        return AuditResource.json(out);
    }

    @GET
    @Path("verify/checkpoints")
    public Response verify(@QueryParam("from") String from) {
        return AuditResource.json(verifier.verify(AuditResource.parseLong("from", from, 0, 0, Long.MAX_VALUE)));
    }
}
