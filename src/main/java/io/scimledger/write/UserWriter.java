package io.scimledger.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.events.EventStore;
import io.scimledger.events.EventType;
import io.scimledger.events.NewEvent;
import io.scimledger.events.RequestOrigin;
import io.scimledger.events.StoredEvent;
import io.scimledger.privacy.DataKey;
import io.scimledger.privacy.DataKeyStore;
import io.scimledger.privacy.PersonalDataCipher;
import io.scimledger.projection.Projector;
import io.scimledger.projection.ResourceQueries;
import io.scimledger.projection.ResourceRow;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.patch.PatchEngine;
import io.scimledger.scim.patch.PatchEngine.PatchResult;
import io.scimledger.scim.resource.ChangedAttributes;
import io.scimledger.scim.resource.ResourceNormalizer;
import io.scimledger.scim.resource.ResourceNormalizer.NormalizedResource;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.tenants.TenantSchemas;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The write path for Users: validate, then in one transaction read the current version, append the event(s),
 * store the data key of a new user and update the projections. Anything that throws before commit leaves no trace.
 */
@ApplicationScoped
public class UserWriter implements ResourceWriter {

    private final WriteTransactions transactions;
    private final EventStore events;
    private final DataKeyStore dataKeys;
    private final Projector projector;
    private final ResourceQueries queries;
    private final UnknownAttributes unknownAttributes;
    private final EventAppender appender;
    private final TenantSchemas schemas;

    public UserWriter(
            WriteTransactions transactions,
            EventStore events,
            DataKeyStore dataKeys,
            Projector projector,
            ResourceQueries queries,
            UnknownAttributes unknownAttributes,
            EventAppender appender,
            TenantSchemas schemas) {
        this.schemas = schemas;
        this.unknownAttributes = unknownAttributes;
        this.appender = appender;
        this.transactions = transactions;
        this.events = events;
        this.dataKeys = dataKeys;
        this.projector = projector;
        this.queries = queries;
    }

    @Override
    public ResourceRow create(RequestOrigin origin, JsonNode body) {
        ResourceTypeDefinition type = schemas.userType(origin.tenant());
        NormalizedResource input = ResourceNormalizer.normalize(type, body);
        unknownAttributes.check(origin, type, input.ignoredAttributes());
        ObjectNode state = input.resource();
        return transactions.run(conn -> {
            UUID id = UUID.randomUUID();
            DataKey key = dataKeys.generate(id);
            ObjectNode payload =
                    payload(type, state, key, request(origin, "POST", input.passwordSupplied()), null, null);
            StoredEvent created = append(conn, origin, new NewEvent(EventType.UserCreated, id, 1, payload))
                    .get(0);
            dataKeys.store(conn, origin.tenant(), key);
            projector.apply(conn, created, clearPayload(state), Projector.Mode.LIVE);
            return new ResourceRow(id, state, 1, created.occurredAt(), created.occurredAt());
        });
    }

    @Override
    public ResourceRow replace(RequestOrigin origin, UUID id, JsonNode body, String ifMatch) {
        ResourceTypeDefinition type = schemas.userType(origin.tenant());
        NormalizedResource input = ResourceNormalizer.normalize(type, body);
        unknownAttributes.check(origin, type, input.ignoredAttributes());
        ObjectNode state = input.resource();
        return transactions.run(conn -> {
            ResourceRow current = load(conn, origin.tenant(), id, ifMatch);
            ResourceNormalizer.checkImmutable(type, current.doc(), state);
            List<String> changed = ChangedAttributes.between(type, current.doc(), state, input.passwordSupplied());
            if (changed.isEmpty()) {
                return current; // nothing to record: the log only holds real changes
            }
            DataKey key = requireKey(conn, id);
            ObjectNode payload = payload(
                    type,
                    state,
                    key,
                    request(origin, "PUT", input.passwordSupplied()),
                    sealedStateOf(conn, origin.tenant(), current),
                    current.doc());
            changed.forEach(payload.putArray("changed")::add);
            return applyUpdate(conn, origin, current, EventType.UserReplaced, payload, state);
        });
    }

    @Override
    public ResourceRow patch(RequestOrigin origin, UUID id, JsonNode body, String ifMatch) {
        ResourceTypeDefinition type = schemas.userType(origin.tenant());
        // Syntax before existence: a malformed request is a 400 whether or not the resource exists.
        PatchEngine.validate(type, body);
        return transactions.run(conn -> {
            ResourceRow current = load(conn, origin.tenant(), id, ifMatch);
            PatchResult result =
                    PatchEngine.apply(type, ResourceNormalizer.withoutUnregistered(type, current.doc()), body);
            if (result.changedAttributes().isEmpty()) {
                return current;
            }
            DataKey key = requireKey(conn, id);
            ObjectNode request = request(origin, "PATCH", result.passwordSupplied());
            request.set("operations", result.operations().forLog(value -> PersonalDataCipher.seal(value, key)));
            ObjectNode payload = payload(
                    type,
                    result.resource(),
                    key,
                    request,
                    sealedStateOf(conn, origin.tenant(), current),
                    current.doc());
            result.changedAttributes().forEach(payload.putArray("changed")::add);
            return applyUpdate(conn, origin, current, EventType.UserPatched, payload, result.resource());
        });
    }

    @Override
    public void delete(RequestOrigin origin, UUID id, String ifMatch) {
        transactions.run(conn -> {
            ResourceRow current = load(conn, origin.tenant(), id, ifMatch);
            List<NewEvent> toAppend = new ArrayList<>();
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            payload.set("request", request(origin, "DELETE", false));
            toAppend.add(new NewEvent(EventType.UserDeleted, id, current.version() + 1, payload));
            // Leaving groups is part of being deleted.
            toAppend.addAll(appender.leaveEveryGroup(conn, origin.tenant(), id, "User", "memberDeleted"));
            appender.projectAsStored(conn, appender.append(conn, origin, toAppend));
            return null;
        });
    }

    private ResourceRow applyUpdate(
            SqlConnection conn,
            RequestOrigin origin,
            ResourceRow current,
            EventType type,
            ObjectNode payload,
            ObjectNode state) {
        StoredEvent e = append(conn, origin, new NewEvent(type, current.id(), current.version() + 1, payload))
                .get(0);
        projector.apply(conn, e, clearPayload(state), Projector.Mode.LIVE);
        return new ResourceRow(current.id(), state, e.version(), current.created(), e.occurredAt());
    }

    private ResourceRow load(SqlConnection conn, String tenant, UUID id, String ifMatch) {
        ResourceRow current = Database.await(queries.findUser(conn, tenant, id))
                .orElseThrow(() -> ScimException.notFound("User " + id + " not found"));
        ETags.checkIfMatch(ifMatch, current.version());
        return current;
    }

    /** The sealed state the current version recorded, so unchanged personal values keep their ciphertext. */
    private ObjectNode sealedStateOf(SqlConnection conn, String tenant, ResourceRow current) {
        return events.recordedState(conn, tenant, current.id(), current.version());
    }

    private DataKey requireKey(SqlConnection conn, UUID id) {
        return dataKeys.find(conn, id)
                .orElseThrow(() -> new ScimException(
                        409, null, "User " + id + " was erased; its personal data can no longer be changed"));
    }

    private List<StoredEvent> append(SqlConnection conn, RequestOrigin origin, NewEvent event) {
        return append(conn, origin, List.of(event));
    }

    private List<StoredEvent> append(SqlConnection conn, RequestOrigin origin, List<NewEvent> toAppend) {
        return appender.append(conn, origin, toAppend);
    }

    private static ObjectNode payload(
            ResourceTypeDefinition type,
            ObjectNode state,
            DataKey key,
            ObjectNode request,
            ObjectNode previousSealed,
            ObjectNode previousClear) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.set("state", PersonalDataCipher.sealResource(type, state, key, previousSealed, previousClear));
        payload.set("request", request);
        return payload;
    }

    private static ObjectNode clearPayload(ObjectNode state) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.set("state", state);
        return payload;
    }

    /** What the client asked, as recorded in the payload: method, receipt time, and whether a password was sent. */
    static ObjectNode request(RequestOrigin origin, String method, boolean passwordSupplied) {
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("method", method);
        if (origin.receivedAt() != null) {
            request.put("receivedAt", origin.receivedAt().toString());
        }
        if (passwordSupplied) {
            // The value is never kept; the log only records that the client set one.
            request.put("passwordSupplied", true);
        }
        return request;
    }
}
