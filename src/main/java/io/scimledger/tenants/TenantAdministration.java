package io.scimledger.tenants;

import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.EventStore;
import io.scimledger.events.EventType;
import io.scimledger.events.NewEvent;
import io.scimledger.events.RequestOrigin;
import io.scimledger.events.StoredEvent;
import io.scimledger.events.StreamType;
import io.scimledger.projection.Projector;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.security.ProvisioningTokens;
import io.scimledger.write.WriteTransactions;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Every change to the tenant registry, each recorded as an event of the tenant's own stream in the log (so the admin
 * plane has the same audit trail, hash chain and Kafka publication as provisioning), projected into the registry
 * tables, and announced to every instance ({@link TenantRegistry#CHANNEL}) in the same transaction.
 */
@ApplicationScoped
public class TenantAdministration {

    private final WriteTransactions transactions;
    private final EventStore events;
    private final Projector projector;
    private final TenantRegistry registry;

    public TenantAdministration(
            WriteTransactions transactions, EventStore events, Projector projector, TenantRegistry registry) {
        this.transactions = transactions;
        this.events = events;
        this.projector = projector;
        this.registry = registry;
    }

    /** A token issued now: the secret is in {@code token} and nowhere else, ever. */
    public record IssuedCredential(UUID id, String token, String label, List<String> scopes, Instant expiresAt) {}

    /**
     * Registers a tenant.
     *
     * @throws ScimException 409 uniqueness when it exists already
     */
    public Tenant create(RequestOrigin origin, TenantSettings settings) {
        String name = TenantName.require(origin.tenant());
        return committed(origin, conn -> {
            if (registry.load(conn, name).isPresent()) {
                throw new ScimException(409, "uniqueness", "tenant '" + name + "' exists already");
            }
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            payload.set("settings", settings.toJson());
            append(conn, origin, EventType.TenantCreated, payload);
            return registry.load(conn, name).orElseThrow();
        });
    }

    /** Registers the tenant unless it exists (the dev profile's first use of a dev token); true if it did. */
    public boolean registerIfAbsent(RequestOrigin origin) {
        String name = TenantName.require(origin.tenant());
        return committed(origin, conn -> {
            query(conn, "SELECT pg_advisory_xact_lock(hashtext($1))", "tenant:" + name);
            if (registry.load(conn, name).isPresent()) {
                return false;
            }
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            payload.set("settings", TenantSettings.DEFAULTS.toJson());
            payload.put("registeredOnFirstUse", true);
            append(conn, origin, EventType.TenantCreated, payload);
            return true;
        });
    }

    public Tenant changeSettings(RequestOrigin origin, JsonNode changes) {
        return committed(origin, conn -> {
            Tenant current = require(conn, origin.tenant());
            TenantSettings next = current.settings().with(changes);
            List<String> changed = current.settings().changedNames(next);
            if (changed.isEmpty()) {
                return current;
            }
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            payload.set("settings", next.toJson());
            ArrayNode names = payload.putArray("changed");
            changed.forEach(names::add);
            append(conn, origin, EventType.TenantSettingsChanged, payload);
            return require(conn, origin.tenant());
        });
    }

    public Tenant suspend(RequestOrigin origin, String reason) {
        return setStatus(origin, Tenant.Status.suspended, EventType.TenantSuspended, reason);
    }

    public Tenant resume(RequestOrigin origin) {
        return setStatus(origin, Tenant.Status.active, EventType.TenantResumed, null);
    }

    private Tenant setStatus(RequestOrigin origin, Tenant.Status status, EventType type, String reason) {
        return committed(origin, conn -> {
            Tenant current = require(conn, origin.tenant());
            if (current.status() == status) {
                return current;
            }
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            if (reason != null) {
                payload.put("reason", reason);
            }
            append(conn, origin, type, payload);
            return require(conn, origin.tenant());
        });
    }

    /** Forgets the tenant: its tokens stop working at once. Its events stay in the log, as every event does. */
    public void delete(RequestOrigin origin) {
        committed(origin, conn -> {
            require(conn, origin.tenant());
            append(conn, origin, EventType.TenantDeleted, JsonNodeFactory.instance.objectNode());
            return null;
        });
    }

    /** Trusts an issuer for this tenant, replacing an entry with the same issuer. */
    public Tenant trustIssuer(RequestOrigin origin, TrustedIssuer issuer) {
        return committed(origin, conn -> {
            Tenant current = require(conn, origin.tenant());
            List<TrustedIssuer> next = new ArrayList<>();
            current.issuers().stream()
                    .filter(i -> !i.issuer().equals(issuer.issuer()))
                    .forEach(next::add);
            next.add(issuer);
            if (next.size() > 20) {
                throw ScimException.invalidValue("a tenant trusts at most 20 issuers");
            }
            ObjectNode payload = issuersPayload(next);
            payload.set("issuer", issuer.toJson());
            append(conn, origin, EventType.TenantIssuerTrusted, payload);
            return require(conn, origin.tenant());
        });
    }

    public Tenant removeIssuer(RequestOrigin origin, String issuer) {
        return committed(origin, conn -> {
            Tenant current = require(conn, origin.tenant());
            List<TrustedIssuer> next = current.issuers().stream()
                    .filter(i -> !i.issuer().equals(issuer))
                    .toList();
            if (next.size() == current.issuers().size()) {
                throw ScimException.notFound("tenant '" + origin.tenant() + "' does not trust issuer '" + issuer + "'");
            }
            ObjectNode payload = issuersPayload(next);
            payload.put("removedIssuer", issuer);
            append(conn, origin, EventType.TenantIssuerRemoved, payload);
            return require(conn, origin.tenant());
        });
    }

    /**
     * Issues a provisioning token. The log and the registry keep only its SHA-256, so the token is shown once, in
     * the answer to this request.
     */
    public IssuedCredential issueCredential(
            RequestOrigin origin, String label, List<String> scopes, Instant expiresAt) {
        ProvisioningTokens.requireGrantable(scopes);
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw ScimException.invalidValue("'expiresAt' must be in the future");
        }
        String token = ProvisioningTokens.generate();
        UUID id = UUID.randomUUID();
        return committed(origin, conn -> {
            require(conn, origin.tenant());
            long live = query(
                            conn,
                            "SELECT count(*) AS n FROM tenant_credential WHERE tenant_id = $1 "
                                    + "AND revoked_at IS NULL",
                            origin.tenant())
                    .iterator()
                    .next()
                    .getLong("n");
            if (live >= 50) {
                throw ScimException.invalidValue("a tenant holds at most 50 unrevoked provisioning tokens; revoke one");
            }
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            ObjectNode c = payload.putObject("credential").put("id", id.toString());
            if (label != null) {
                c.put("label", label);
            }
            ArrayNode s = c.putArray("scopes");
            scopes.forEach(s::add);
            if (expiresAt != null) {
                c.put("expiresAt", expiresAt.toString());
            }
            payload.put("tokenHash", ProvisioningTokens.hashHex(token));
            append(conn, origin, EventType.TenantCredentialIssued, payload);
            return new IssuedCredential(id, token, label, List.copyOf(scopes), expiresAt);
        });
    }

    /** Revokes a token; every instance refuses it from the commit on. Revoking twice answers as the first time. */
    public void revokeCredential(RequestOrigin origin, UUID credentialId) {
        committed(origin, conn -> {
            require(conn, origin.tenant());
            var rows = query(
                    conn,
                    "SELECT revoked_at FROM tenant_credential WHERE tenant_id = $1 AND credential_id = $2",
                    origin.tenant(),
                    credentialId);
            if (rows.size() == 0) {
                throw ScimException.notFound(
                        "no provisioning token " + credentialId + " in tenant '" + origin.tenant() + "'");
            }
            if (rows.iterator().next().getValue("revoked_at") == null) {
                ObjectNode payload = JsonNodeFactory.instance.objectNode().put("credentialId", credentialId.toString());
                append(conn, origin, EventType.TenantCredentialRevoked, payload);
            }
            return null;
        });
    }

    /**
     * Registers an extension schema for the tenant's Users or Groups.
     *
     * @throws ScimException 409 uniqueness when the tenant has a schema with this id; 400 past the schema limit
     */
    public Tenant registerSchema(RequestOrigin origin, ExtensionSchema schema) {
        return committed(origin, conn -> {
            Tenant current = require(conn, origin.tenant());
            if (current.schema(schema.id()).isPresent()) {
                throw new ScimException(
                        409,
                        "uniqueness",
                        "tenant '" + current.name() + "' has a schema '" + schema.id()
                                + "' already; change it with PUT");
            }
            if (current.schemas().size() >= ExtensionSchema.MAX_SCHEMAS) {
                throw ScimException.invalidValue(
                        "a tenant registers at most " + ExtensionSchema.MAX_SCHEMAS + " extension schemas");
            }
            List<ExtensionSchema> next = new ArrayList<>(current.schemas());
            next.add(schema);
            ObjectNode payload = schemasPayload(next);
            payload.set("schema", schema.toJson());
            append(conn, origin, EventType.TenantSchemaRegistered, payload);
            return require(conn, origin.tenant());
        });
    }

    /**
     * Replaces a registered schema. Attributes may be added, removed (their values stay in the log and in the
     * resources' history) or redefined, except that an attribute holding a value in any of the tenant's resources
     * keeps its type and multiValued: the values already written would no longer fit it.
     *
     * @throws ScimException 404 for an unknown schema; 400 for a changed id or resource type, or a type change over data
     */
    public Tenant changeSchema(RequestOrigin origin, String id, ExtensionSchema schema) {
        return committed(origin, conn -> {
            Tenant current = require(conn, origin.tenant());
            ExtensionSchema old = current.schema(id)
                    .orElseThrow(
                            () -> ScimException.notFound("tenant '" + current.name() + "' has no schema '" + id + "'"));
            if (!old.id().equals(schema.id())) {
                throw ScimException.invalidValue("a schema's id cannot change ('" + old.id() + "' in the path, '"
                        + schema.id() + "' in the body); register a new schema instead");
            }
            if (!old.resourceType().equals(schema.resourceType())) {
                throw ScimException.invalidValue(
                        "schema '" + id + "' extends " + old.resourceType() + "; its resourceType cannot change");
            }
            String table = old.resourceType().equals("User") ? "scim_user" : "scim_group";
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            ArrayNode added = JsonNodeFactory.instance.arrayNode();
            ArrayNode removed = JsonNodeFactory.instance.arrayNode();
            ArrayNode redefined = JsonNodeFactory.instance.arrayNode();
            for (AttributeDefinition before : old.schema().attributes()) {
                var after = schema.schema().attribute(before.name());
                if (after.isEmpty()) {
                    removed.add(before.name());
                    continue;
                }
                if (!before.equals(after.get())) {
                    redefined.add(after.get().name());
                }
                if (shapeChanged(before, after.get()) && hasValues(conn, table, current.name(), old.id(), before)) {
                    throw ScimException.invalidValue("attribute '" + old.id() + ":" + before.name() + "' holds values "
                            + "in this tenant's " + old.resourceType() + "s, so its type or multiValued cannot change ("
                            + describe(before) + " -> " + describe(after.get()) + "); add a new attribute instead");
                }
            }
            for (AttributeDefinition a : schema.schema().attributes()) {
                if (old.schema().attribute(a.name()).isEmpty()) {
                    added.add(a.name());
                }
            }
            if (added.isEmpty() && removed.isEmpty() && redefined.isEmpty() && old.equals(schema)) {
                return current;
            }
            List<ExtensionSchema> next = current.schemas().stream()
                    .map(s -> s.id().equals(old.id()) ? schema : s)
                    .toList();
            payload.setAll(schemasPayload(next));
            payload.set("schema", schema.toJson());
            payload.set("attributesAdded", added);
            payload.set("attributesRemoved", removed);
            payload.set("attributesRedefined", redefined);
            append(conn, origin, EventType.TenantSchemaChanged, payload);
            return require(conn, origin.tenant());
        });
    }

    /** Unregisters a schema; the values written under it stay in the log and in every resource's history. */
    public Tenant removeSchema(RequestOrigin origin, String id) {
        return committed(origin, conn -> {
            Tenant current = require(conn, origin.tenant());
            ExtensionSchema old = current.schema(id)
                    .orElseThrow(
                            () -> ScimException.notFound("tenant '" + current.name() + "' has no schema '" + id + "'"));
            List<ExtensionSchema> next = current.schemas().stream()
                    .filter(s -> !s.id().equals(old.id()))
                    .toList();
            ObjectNode payload = schemasPayload(next);
            payload.put("removedSchema", old.id());
            append(conn, origin, EventType.TenantSchemaRemoved, payload);
            return require(conn, origin.tenant());
        });
    }

    /** A change that values already written would not fit: another type, single- versus multi-valued, or sub-types. */
    private static boolean shapeChanged(AttributeDefinition before, AttributeDefinition after) {
        if (before.type() != after.type() || before.multiValued() != after.multiValued()) {
            return true;
        }
        for (AttributeDefinition sub : before.subAttributes()) {
            var now = after.subAttribute(sub.name());
            if (now.isPresent() && (now.get().type() != sub.type() || now.get().multiValued() != sub.multiValued())) {
                return true;
            }
        }
        return false;
    }

    private static String describe(AttributeDefinition a) {
        return a.type().scimName() + (a.multiValued() ? ", multi-valued" : "");
    }

    /** Whether any current resource of the tenant holds a value of the attribute (the projection's documents). */
    private static boolean hasValues(
            SqlConnection conn, String table, String tenant, String schemaId, AttributeDefinition attribute) {
        return query(
                                conn,
                                "SELECT 1 FROM " + table + " WHERE tenant_id = $1 AND (doc -> $2 -> $3) IS NOT NULL "
                                        + "AND (doc -> $2 -> $3) <> 'null'::jsonb LIMIT 1",
                                tenant,
                                schemaId,
                                attribute.name())
                        .size()
                > 0;
    }

    private static ObjectNode schemasPayload(List<ExtensionSchema> schemas) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        ArrayNode all = payload.putArray("schemas");
        schemas.forEach(s -> all.add(s.toJson()));
        return payload;
    }

    /** Runs a registry change in one transaction, then forgets what this instance had cached of the tenant. */
    private <T> T committed(RequestOrigin origin, java.util.function.Function<SqlConnection, T> work) {
        try {
            return transactions.run(work);
        } finally {
            registry.committedHere(origin.tenant(), true);
        }
    }

    private static ObjectNode issuersPayload(List<TrustedIssuer> issuers) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        ArrayNode all = payload.putArray("issuers");
        issuers.forEach(i -> all.add(i.toJson()));
        return payload;
    }

    private Tenant require(SqlConnection conn, String name) {
        return registry.load(conn, name).orElseThrow(() -> ScimException.notFound("tenant '" + name + "' not found"));
    }

    private void append(SqlConnection conn, RequestOrigin origin, EventType type, ObjectNode payload) {
        String name = origin.tenant();
        UUID stream = TenantName.streamId(name);
        long version = events.lastVersion(conn, name, StreamType.Tenant, stream).orElse(0L) + 1;
        ObjectNode request = payload.putObject("request").put("method", "ADMIN");
        if (origin.receivedAt() != null) {
            request.put("receivedAt", origin.receivedAt().toString());
        }
        List<StoredEvent> stored =
                events.append(conn, origin, UUID.randomUUID(), List.of(new NewEvent(type, stream, version, payload)));
        projector.apply(conn, stored.get(0), payload, Projector.Mode.LIVE);
        String what = type == EventType.TenantCredentialIssued
                        || type == EventType.TenantCredentialRevoked
                        || type == EventType.TenantDeleted
                ? "credentials"
                : null;
        query(conn, "SELECT pg_notify($1, $2)", TenantRegistry.CHANNEL, "tenant:" + name);
        if (what != null) {
            query(conn, "SELECT pg_notify($1, $2)", TenantRegistry.CHANNEL, what);
        }
    }
}
