package io.scimledger.write;

import io.scimledger.events.EventStore;
import io.scimledger.events.EventType;
import io.scimledger.events.NewEvent;
import io.scimledger.events.RequestOrigin;
import io.scimledger.events.StoredEvent;
import io.scimledger.projection.Projector;
import io.scimledger.projection.ResourceQueries;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The steps every writer shares inside its transaction: append events (the first write, docs/decisions/0002),
 * project them, and record that a resource which goes away leaves every group that contained it. One place, so a
 * delete and an erasure cannot drift apart.
 */
@ApplicationScoped
public class EventAppender {

    private final EventStore events;
    private final Projector projector;
    private final ResourceQueries queries;

    public EventAppender(EventStore events, Projector projector, ResourceQueries queries) {
        this.events = events;
        this.projector = projector;
        this.queries = queries;
    }

    /** Appends events as one logical transaction ({@code txnId} shared by all of them). */
    public List<StoredEvent> append(SqlConnection conn, RequestOrigin origin, UUID txnId, List<NewEvent> toAppend) {
        return events.append(conn, origin, txnId, toAppend);
    }

    public List<StoredEvent> append(SqlConnection conn, RequestOrigin origin, List<NewEvent> toAppend) {
        return append(conn, origin, UUID.randomUUID(), toAppend);
    }

    /** Projects events whose stored payload is what the projections need (no sealed personal values in it). */
    /** Projects one stored event from a payload other than the stored one (values the log keeps sealed). */
    public void project(SqlConnection conn, StoredEvent e, com.fasterxml.jackson.databind.node.ObjectNode payload) {
        projector.apply(conn, e, payload, Projector.Mode.LIVE);
    }

    public void projectAsStored(SqlConnection conn, List<StoredEvent> stored) {
        for (StoredEvent e : stored) {
            projector.apply(conn, e, e.payload(), Projector.Mode.LIVE);
        }
    }

    /**
     * One {@code GroupMembersRemoved} per group that contains {@code memberId}, each the next version of that
     * group's stream, with {@code reason} (memberDeleted, memberErased): leaving groups is recorded on each group's
     * own stream.
     */
    public List<NewEvent> leaveEveryGroup(
            SqlConnection conn, String tenant, UUID memberId, String memberType, String reason) {
        List<NewEvent> out = new ArrayList<>();
        for (Map.Entry<UUID, Long> group :
                queries.groupsContaining(conn, tenant, memberId).entrySet()) {
            out.add(new NewEvent(
                    EventType.GroupMembersRemoved,
                    group.getKey(),
                    group.getValue() + 1,
                    MembershipPayloads.removedBecause(memberId, memberType, reason)));
        }
        return out;
    }
}
