package io.scimledger.privacy;

import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.EventStore;
import io.scimledger.events.EventType;
import io.scimledger.events.NewEvent;
import io.scimledger.events.RequestOrigin;
import io.scimledger.events.StoredEvent;
import io.scimledger.projection.Projector;
import io.scimledger.projection.ResourceQueries;
import io.scimledger.scim.ScimException;
import io.scimledger.write.WriteTransactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Erases a person (GDPR art. 17) without touching the log: append a personal-data-free UserErased event, remove the
 * user from every group (as events), destroy their data key, and drop them from the projections — all in one
 * transaction. Afterwards every sealed value of that user, in every event, is unreadable; the events, their order,
 * their envelopes (who did what when) and the hash chains are unchanged. See docs/audit.md, "Erasure".
 */
@ApplicationScoped
public class PersonalDataEraser {

    /** A ticket or case reference for the record; restricted so that it cannot carry personal data itself. */
    private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9._:/#-]{1,100}");

    public record Result(UUID userId, boolean erasedNow, long eventsAppended) {
    }

    private final WriteTransactions transactions;
    private final EventStore events;
    private final DataKeyStore dataKeys;
    private final Projector projector;
    private final ResourceQueries queries;

    public PersonalDataEraser(WriteTransactions transactions, EventStore events, DataKeyStore dataKeys,
                              Projector projector, ResourceQueries queries) {
        this.transactions = transactions;
        this.events = events;
        this.dataKeys = dataKeys;
        this.projector = projector;
        this.queries = queries;
    }

    /** @param origin the operator's origin, with the tenant of the user being erased */
    public Result erase(RequestOrigin origin, UUID userId, String reference) {
        if (reference != null && !REFERENCE.matcher(reference).matches()) {
            throw ScimException.invalidValue("reference must be a ticket id (letters, digits, . _ : / # -; at most 100)");
        }
        return transactions.run(conn -> {
            var last = query(conn, "SELECT max(stream_version) AS v FROM event WHERE tenant_id = $1 AND stream_id = $2 "
                    + "AND stream_type = 'User'", origin.tenant(), userId).iterator().next().getLong("v");
            if (last == null) {
                throw ScimException.notFound("User " + userId + " not found in tenant " + origin.tenant());
            }
            var key = query(conn, "SELECT wrapped_key IS NULL AS destroyed FROM data_key WHERE tenant_id = $1 "
                    + "AND subject_id = $2", origin.tenant(), userId);
            if (key.size() > 0 && key.iterator().next().getBoolean("destroyed")) {
                return new Result(userId, false, 0); // already erased: nothing more to do, nothing to record
            }
            ObjectNode payload = JsonNodeFactory.instance.objectNode();
            ObjectNode request = payload.putObject("request").put("method", "ERASE");
            if (origin.receivedAt() != null) {
                request.put("receivedAt", origin.receivedAt().toString());
            }
            if (reference != null) {
                payload.put("reference", reference);
            }
            List<NewEvent> toAppend = new ArrayList<>();
            toAppend.add(new NewEvent(EventType.UserErased, userId, last + 1, payload));
            for (Map.Entry<UUID, Long> group : queries.groupsContaining(conn, origin.tenant(), userId).entrySet()) {
                ObjectNode removed = JsonNodeFactory.instance.objectNode();
                removed.putArray("members").addObject().put("value", userId.toString()).put("type", "User");
                removed.put("reason", "memberErased");
                toAppend.add(new NewEvent(EventType.GroupMembersRemoved, group.getKey(), group.getValue() + 1, removed));
            }
            List<StoredEvent> stored = events.append(conn, origin, UUID.randomUUID(), toAppend);
            dataKeys.destroy(conn, origin.tenant(), userId);
            for (StoredEvent e : stored) {
                projector.apply(conn, e, e.payload(), Projector.Mode.LIVE);
            }
            return new Result(userId, true, stored.size());
        });
    }
}
