package io.scimledger.write;

import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.scimledger.db.Database;
import io.scimledger.events.EventType;
import io.scimledger.events.NewEvent;
import io.scimledger.events.RequestOrigin;
import io.scimledger.events.StoredEvent;
import io.scimledger.privacy.DataKeyStore;
import io.scimledger.privacy.PersonalDataCipher;
import io.scimledger.projection.ResourceQueries;
import io.scimledger.projection.ResourceRow;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.patch.OperationRecord;
import io.scimledger.scim.patch.PatchEngine;
import io.scimledger.scim.patch.PatchEngine.MemberOperation;
import io.scimledger.scim.patch.PatchEngine.PatchResult;
import io.scimledger.scim.resource.ChangedAttributes;
import io.scimledger.scim.resource.ResourceNormalizer;
import io.scimledger.scim.resource.ResourceNormalizer.NormalizedResource;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.tenants.TenantRegistry;
import io.scimledger.tenants.TenantSchemas;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The write path for Groups. Attribute changes and membership changes are separate events; a membership event
 * carries only the members that changed, so a write costs the same for a group of 10 or of 100,000 members.
 */
@ApplicationScoped
public class GroupWriter implements ResourceWriter {

    private final WriteTransactions transactions;
    private final EventAppender appender;
    private final ResourceQueries queries;
    private final UnknownAttributes unknownAttributes;
    private final TenantRegistry registry;
    private final DataKeyStore dataKeys;
    private final TenantSchemas schemas;

    public GroupWriter(
            WriteTransactions transactions,
            EventAppender appender,
            ResourceQueries queries,
            UnknownAttributes unknownAttributes,
            TenantRegistry registry,
            DataKeyStore dataKeys,
            TenantSchemas schemas) {
        this.schemas = schemas;
        this.unknownAttributes = unknownAttributes;
        this.registry = registry;
        this.dataKeys = dataKeys;
        this.transactions = transactions;
        this.appender = appender;
        this.queries = queries;
    }

    @Override
    public ResourceRow create(RequestOrigin origin, JsonNode body) {
        ResourceTypeDefinition type = schemas.groupType(origin.tenant());
        NormalizedResource input = ResourceNormalizer.normalize(type, body);
        unknownAttributes.check(origin, type, input.ignoredAttributes());
        return transactions.run(conn -> {
            UUID id = UUID.randomUUID();
            requireUniqueDisplayName(conn, origin.tenant(), input.resource(), id);
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            payload.set("state", input.resource());
            payload.set("request", UserWriter.request(origin, "POST", false));
            List<NewEvent> toAppend = new ArrayList<>();
            toAppend.add(new NewEvent(EventType.GroupCreated, id, 1, payload));
            // The group row must exist before member ids are checked against it (self-membership).
            StoredEvent created = appender.append(conn, origin, toAppend).get(0);
            appender.projectAsStored(conn, List.of(created));
            ResourceRow row = new ResourceRow(id, input.resource(), 1, created.occurredAt(), created.occurredAt());
            if (input.members() == null || input.members().isEmpty()) {
                return row;
            }
            MembershipDelta delta = MembershipDelta.resolve(
                    conn,
                    queries,
                    origin.tenant(),
                    id,
                    List.of(new MemberOperation(MemberOperation.Kind.ADD, input.members())));
            return appendAndProject(conn, origin, created.txnId(), row, List.of(), delta);
        });
    }

    @Override
    public ResourceRow replace(RequestOrigin origin, UUID id, JsonNode body, String ifMatch) {
        ResourceTypeDefinition type = schemas.groupType(origin.tenant());
        NormalizedResource input = ResourceNormalizer.normalize(type, body);
        unknownAttributes.check(origin, type, input.ignoredAttributes());
        return transactions.run(conn -> {
            ResourceRow current = load(conn, origin.tenant(), id, ifMatch);
            ResourceNormalizer.checkImmutable(type, current.doc(), input.resource());
            requireUniqueDisplayName(conn, origin.tenant(), input.resource(), id);
            List<NewEvent> toAppend = new ArrayList<>();
            List<String> changed = ChangedAttributes.between(type, current.doc(), input.resource(), false);
            if (!changed.isEmpty()) {
                ObjectNode payload = JsonNodeFactory.instance.objectNode();
                payload.set("state", input.resource());
                changed.forEach(payload.putArray("changed")::add);
                payload.set("request", UserWriter.request(origin, "PUT", false));
                toAppend.add(new NewEvent(EventType.GroupReplaced, id, current.version() + 1, payload));
            }
            // PUT replaces: members left out of the body are removed (RFC 7644 section 3.5.1).
            MembershipDelta delta = MembershipDelta.resolve(
                    conn,
                    queries,
                    origin.tenant(),
                    id,
                    List.of(new MemberOperation(
                            MemberOperation.Kind.REPLACE_ALL, input.members() == null ? List.of() : input.members())));
            ResourceRow next =
                    new ResourceRow(id, input.resource(), current.version(), current.created(), current.lastModified());
            return appendAndProject(conn, origin, UUID.randomUUID(), next, toAppend, delta);
        });
    }

    @Override
    public ResourceRow patch(RequestOrigin origin, UUID id, JsonNode body, String ifMatch) {
        ResourceTypeDefinition type = schemas.groupType(origin.tenant());
        // Syntax before existence: a malformed request is a 400 whether or not the resource exists.
        PatchEngine.validate(type, body);
        return transactions.run(conn -> {
            ResourceRow current = load(conn, origin.tenant(), id, ifMatch);
            PatchResult result =
                    PatchEngine.apply(type, ResourceNormalizer.withoutUnregistered(type, current.doc()), body);
            List<NewEvent> toAppend = new ArrayList<>();
            if (result.changedAttributes().contains("displayName")) {
                requireUniqueDisplayName(conn, origin.tenant(), result.resource(), id);
            }
            // Membership changes are their own events (below); the attribute event covers everything else.
            if (!result.changedAttributes().isEmpty()) {
                ObjectNode payload = JsonNodeFactory.instance.objectNode();
                payload.set("state", result.resource());
                result.changedAttributes().forEach(payload.putArray("changed")::add);
                toAppend.add(new NewEvent(EventType.GroupPatched, id, current.version() + 1, payload));
            }
            MembershipDelta delta =
                    MembershipDelta.resolve(conn, queries, origin.tenant(), id, result.memberOperations());
            ResourceRow next = new ResourceRow(
                    id, result.resource(), current.version(), current.created(), current.lastModified());
            ObjectNode request = UserWriter.request(origin, "PATCH", false);
            // Group attributes hold no personal data: what a Group operation carries beyond what was applied is left
            // out.
            request.set("operations", result.operations().forLog(OperationRecord::omitted));
            return appendAndProject(conn, origin, UUID.randomUUID(), next, toAppend, delta, request);
        });
    }

    @Override
    public void delete(RequestOrigin origin, UUID id, String ifMatch) {
        transactions.run(conn -> {
            ResourceRow current = load(conn, origin.tenant(), id, ifMatch);
            List<NewEvent> toAppend = new ArrayList<>();
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            payload.set("request", UserWriter.request(origin, "DELETE", false));
            toAppend.add(new NewEvent(EventType.GroupDeleted, id, current.version() + 1, payload));
            toAppend.addAll(appender.leaveEveryGroup(conn, origin.tenant(), id, "Group", "memberDeleted"));
            appender.projectAsStored(conn, appender.append(conn, origin, toAppend));
            return null;
        });
    }

    private ResourceRow appendAndProject(
            SqlConnection conn,
            RequestOrigin origin,
            UUID txnId,
            ResourceRow row,
            List<NewEvent> attributeEvents,
            MembershipDelta delta) {
        return appendAndProject(conn, origin, txnId, row, attributeEvents, delta, null);
    }

    /**
     * Appends the attribute event (if any), then one event for removed and one for added members, each taking the
     * next stream version; the request's operations are recorded once, on the first event.
     */
    private ResourceRow appendAndProject(
            SqlConnection conn,
            RequestOrigin origin,
            UUID txnId,
            ResourceRow row,
            List<NewEvent> attributeEvents,
            MembershipDelta delta,
            ObjectNode request) {
        List<NewEvent> toAppend = new ArrayList<>(attributeEvents);
        long version = row.version() + toAppend.size();
        if (!delta.removed.isEmpty()) {
            toAppend.add(new NewEvent(
                    EventType.GroupMembersRemoved, row.id(), ++version, MembershipPayloads.members(delta.removed)));
        }
        ObjectNode addedClear = null;
        if (!delta.added.isEmpty()) {
            // A User member's display is sealed under that user's key in the log; the projection gets it in clear.
            addedClear = MembershipPayloads.added(delta.added, delta.addedDisplays, null, true);
            toAppend.add(new NewEvent(
                    EventType.GroupMembersAdded,
                    row.id(),
                    ++version,
                    MembershipPayloads.added(
                            delta.added,
                            delta.addedDisplays,
                            (member, display) -> dataKeys.find(conn, member)
                                    .map(key -> (JsonNode) PersonalDataCipher.seal(TextNode.valueOf(display), key))
                                    .orElse(null),
                            false)));
        }
        if (toAppend.isEmpty()) {
            return row;
        }
        if (request != null) {
            toAppend.get(0).payload().set("request", request);
        }
        List<StoredEvent> stored = appender.append(conn, origin, txnId, toAppend);
        // After the append (which must stay the first write): pin the new members so a concurrent delete of one
        // of them either waits for us or makes us fail here, never leaving a member that no longer exists.
        if (!delta.added.isEmpty()
                && queries.lockExisting(conn, origin.tenant(), delta.added.keySet())
                                .size()
                        < delta.added.size()) {
            throw ScimException.invalidValue("a member was deleted while this request ran; nothing was changed");
        }
        for (StoredEvent e : stored) {
            // the projection gets a member's display in clear; the log has it sealed under the member's key
            ObjectNode payload =
                    e.type() == EventType.GroupMembersAdded && addedClear != null ? addedClear : e.payload();
            appender.project(conn, e, payload);
        }
        StoredEvent last = stored.get(stored.size() - 1);
        return new ResourceRow(row.id(), row.doc(), last.version(), row.created(), last.occurredAt());
    }

    private ResourceRow load(SqlConnection conn, String tenant, UUID id, String ifMatch) {
        ResourceRow current = Database.await(queries.findGroup(conn, tenant, id))
                .orElseThrow(() -> ScimException.notFound("Group " + id + " not found"));
        ETags.checkIfMatch(ifMatch, current.version());
        return current;
    }

    /**
     * Tenants with the setting uniqueGroupDisplayName (docs/tenants.md) get a 409 for a second Group with the same
     * displayName, compared ignoring case (RFC 7643 leaves Group displayName's uniqueness to the provider). The
     * advisory lock serialises two requests that would otherwise both see the name as free.
     */
    private void requireUniqueDisplayName(SqlConnection conn, String tenant, ObjectNode state, UUID self) {
        if (!registry.find(tenant)
                .map(t -> t.settings().uniqueGroupDisplayName())
                .orElse(false)) {
            return;
        }
        String name = state.path("displayName").asText("");
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        query(conn, "SELECT pg_advisory_xact_lock(hashtext($1))", "group-display-name:" + tenant + "\n" + lower);
        var rows = query(
                conn,
                "SELECT id FROM scim_group WHERE tenant_id = $1 AND lower(display_name) = $2 " + "AND id <> $3 LIMIT 1",
                tenant,
                lower,
                self);
        if (rows.size() > 0) {
            throw new ScimException(
                    409,
                    "uniqueness",
                    "a Group with this displayName exists already (id "
                            + rows.iterator().next().getUUID("id") + ")");
        }
    }
}
