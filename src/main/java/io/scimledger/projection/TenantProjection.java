package io.scimledger.projection;

import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.StoredEvent;
import io.vertx.mutiny.sqlclient.SqlClient;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The tenant registry's tables ({@code tenant}, {@code tenant_credential}) as the Tenant events of the log leave
 * them; used by live writes and by the rebuild alike. Tenant events carry whole values (all settings, the whole list
 * of trusted issuers) so that each one can be applied without reading the previous state.
 */
final class TenantProjection {

    private TenantProjection() {}

    static void apply(SqlClient conn, StoredEvent e, ObjectNode payload) {
        OffsetDateTime at = e.occurredAt().atOffset(ZoneOffset.UTC);
        switch (e.type()) {
            case TenantCreated ->
                query(
                        conn,
                        "INSERT INTO tenant (tenant_id, status, settings, issuers, version, "
                                + "created, last_modified) VALUES ($1, 'active', $2::text::jsonb, '[]'::jsonb, $3, $4, $4)",
                        e.tenant(),
                        payload.path("settings").toString(),
                        e.version(),
                        at);
            case TenantSettingsChanged ->
                touch(
                        conn,
                        e,
                        at,
                        "settings = $4::text::jsonb",
                        payload.path("settings").toString());
            case TenantSuspended -> touch(conn, e, at, "status = 'suspended'", null);
            case TenantResumed -> touch(conn, e, at, "status = 'active'", null);
            case TenantIssuerTrusted, TenantIssuerRemoved ->
                touch(
                        conn,
                        e,
                        at,
                        "issuers = $4::text::jsonb",
                        payload.path("issuers").toString());
            case TenantSchemaRegistered, TenantSchemaChanged, TenantSchemaRemoved ->
                touch(
                        conn,
                        e,
                        at,
                        "schemas = $4::text::jsonb",
                        payload.path("schemas").toString());
            case TenantCredentialIssued -> {
                JsonNode c = payload.path("credential");
                query(
                        conn,
                        "INSERT INTO tenant_credential (credential_id, tenant_id, token_hash, label, scopes, "
                                + "created, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        UUID.fromString(c.path("id").asText()),
                        e.tenant(),
                        io.vertx.core.buffer.Buffer.buffer(HexFormat.of()
                                .parseHex(payload.path("tokenHash").asText())),
                        c.hasNonNull("label") ? c.get("label").asText() : null,
                        scopes(c),
                        at,
                        c.hasNonNull("expiresAt")
                                ? OffsetDateTime.parse(c.get("expiresAt").asText())
                                : null);
                touch(conn, e, at, null, null);
            }
            case TenantCredentialRevoked -> {
                query(
                        conn,
                        "UPDATE tenant_credential SET revoked_at = $3 WHERE tenant_id = $1 AND credential_id = $2",
                        e.tenant(),
                        UUID.fromString(payload.path("credentialId").asText()),
                        at);
                touch(conn, e, at, null, null);
            }
            case TenantDeleted -> {
                query(conn, "DELETE FROM tenant_credential WHERE tenant_id = $1", e.tenant());
                query(conn, "DELETE FROM tenant WHERE tenant_id = $1", e.tenant());
            }
            default -> throw new IllegalStateException("not a tenant event: " + e.type());
        }
    }

    private static String scopes(JsonNode credential) {
        StringBuilder b = new StringBuilder();
        credential
                .path("scopes")
                .forEach(s -> b.append(b.length() == 0 ? "" : " ").append(s.asText()));
        return b.toString();
    }

    /** Moves the tenant row to this event's version, with one more assignment when given. */
    private static void touch(SqlClient conn, StoredEvent e, OffsetDateTime at, String assignment, String value) {
        String set = "version = $2, last_modified = $3" + (assignment == null ? "" : ", " + assignment);
        if (value == null) {
            query(conn, "UPDATE tenant SET " + set + " WHERE tenant_id = $1", e.tenant(), e.version(), at);
        } else {
            query(conn, "UPDATE tenant SET " + set + " WHERE tenant_id = $1", e.tenant(), e.version(), at, value);
        }
    }
}
