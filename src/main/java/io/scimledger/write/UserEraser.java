package io.scimledger.write;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.EventStore;
import io.scimledger.events.EventType;
import io.scimledger.events.NewEvent;
import io.scimledger.events.RequestOrigin;
import io.scimledger.events.StoredEvent;
import io.scimledger.events.StreamType;
import io.scimledger.privacy.DataKeyStore;
import io.scimledger.scim.ScimException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Erases a person (GDPR art. 17) without touching the log: append a personal-data-free UserErased event, remove the
 * user from every group (as events), destroy their data key, and drop them from the projections — all in one
 * transaction, through the same steps as {@link UserWriter#delete}. Afterwards every sealed value of that user, in
 * every event, is unreadable; the events, their order, their envelopes (who did what when) and the hash chains are
 * unchanged. See docs/audit.md, "Erasure".
 *
 * <p>Unlike a delete it works on a user that is already deleted (the stream's last version comes from the log, not
 * from the projection), because a deleted user's personal data is still in the log.
 */
@ApplicationScoped
public class UserEraser {

    /** A ticket or case reference for the record; restricted so that it cannot carry personal data itself. */
    private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9._:/#-]{1,100}");

    public record Result(UUID userId, boolean erasedNow, long eventsAppended) {}

    private final WriteTransactions transactions;
    private final EventStore events;
    private final EventAppender appender;
    private final DataKeyStore dataKeys;

    public UserEraser(
            WriteTransactions transactions, EventStore events, EventAppender appender, DataKeyStore dataKeys) {
        this.transactions = transactions;
        this.events = events;
        this.appender = appender;
        this.dataKeys = dataKeys;
    }

    /** @param origin the operator's origin, with the tenant of the user being erased */
    public Result erase(RequestOrigin origin, UUID userId, String reference) {
        if (reference != null && !REFERENCE.matcher(reference).matches()) {
            throw ScimException.invalidValue(
                    "reference must be a ticket id (letters, digits, . _ : / # -; at most 100)");
        }
        return transactions.run(conn -> {
            long last = events.lastVersion(conn, origin.tenant(), StreamType.User, userId)
                    .orElseThrow(
                            () -> ScimException.notFound("User " + userId + " not found in tenant " + origin.tenant()));
            if (dataKeys.isDestroyed(conn, origin.tenant(), userId)) {
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
            toAppend.addAll(appender.leaveEveryGroup(conn, origin.tenant(), userId, "User", "memberErased"));
            List<StoredEvent> stored = appender.append(conn, origin, toAppend);
            dataKeys.destroy(conn, origin.tenant(), userId);
            appender.projectAsStored(conn, stored);
            return new Result(userId, true, stored.size());
        });
    }
}
