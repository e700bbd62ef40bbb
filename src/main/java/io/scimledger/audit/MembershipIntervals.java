package io.scimledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.events.EventLogReader;
import io.scimledger.events.StreamType;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Which groups a user belonged to, as intervals {@code [from, to)}, from the event log only.
 *
 * <p>Direct intervals come from the {@code GroupMembersAdded} / {@code GroupMembersRemoved} events whose
 * {@code payload->'members'} contains the user (one query with a jsonb containment predicate over the tenant's
 * group events, GIN-indexed by V4). A group's deletion and the user's deletion end an interval. Indirect
 * intervals (the user is in group C, C is a member of group P) are the intersections of the user's intervals in C
 * with C's own intervals in P, followed up to {@link #MAX_DEPTH} levels. Every level is one query for the
 * membership events of all groups reached at that level, plus one query at the end for the names and deletion
 * times of all groups involved: the number of queries depends on the nesting depth, never on the number of groups.
 */
@ApplicationScoped
public class MembershipIntervals {

    /** How many levels of nesting are followed above the user's direct groups. */
    public static final int MAX_DEPTH = 10;

    private final Database db;
    private final EventLogReader log;

    public MembershipIntervals(Database db, EventLogReader log) {
        this.db = db;
        this.log = log;
    }

    /** One interval; {@code to == null} means "still a member" (as far as the log says). */
    public record Interval(UUID groupId, String type, UUID via, int depth, Instant from, Instant to) {
        boolean contains(Instant t) {
            return !from.isAfter(t) && (to == null || t.isBefore(to));
        }
    }

    private record Change(UUID group, UUID member, boolean added, Instant at, long position) {}

    /** Raw interval of one member in one group, before capping by deletions. */
    private record Raw(UUID group, UUID member, Instant from, Instant to) {}

    /**
     * The user's membership intervals, ordered by group, then from. With {@code at}, only the intervals that
     * contain that instant (the user's memberships at that moment).
     *
     * @throws io.scimledger.scim.ScimException 404 if the tenant's log has no such user
     */
    public List<ObjectNode> forUser(String tenant, UUID userId, Instant at) {
        return db.withConnection(conn -> {
            EventLogReader.UserLifetime user = log.userLifetime(conn, tenant, userId);
            if (user.events() == 0) {
                throw AuditLog.notFound(StreamType.User, userId);
            }
            Instant userDeleted = user.deletedAt();

            // membership changes, keyed by member id: fetched level by level, one query per level
            Map<UUID, List<Change>> byMember = new HashMap<>();
            fetchChanges(conn, tenant, Set.of(userId), byMember);

            List<Raw> direct = raw(byMember.getOrDefault(userId, List.of()));
            // intervals of the user in each group reached so far (all types), and those newly found per level
            List<Interval> result = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            Map<UUID, List<Interval>> frontier = new LinkedHashMap<>();
            for (Raw r : direct) {
                Interval i = new Interval(r.group(), "direct", null, 0, r.from(), cap(r.to(), userDeleted));
                if (!i.from().equals(i.to()) && seen.add(key(i))) {
                    result.add(i);
                    frontier.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(i);
                }
            }
            List<Raw> groupInGroup = new ArrayList<>();
            for (int depth = 1; depth <= MAX_DEPTH && !frontier.isEmpty(); depth++) {
                Set<UUID> toFetch = new HashSet<>(frontier.keySet());
                toFetch.removeAll(byMember.keySet());
                fetchChanges(conn, tenant, toFetch, byMember);
                Map<UUID, List<Interval>> next = new LinkedHashMap<>();
                for (Map.Entry<UUID, List<Interval>> child : frontier.entrySet()) {
                    List<Raw> parents = raw(byMember.getOrDefault(child.getKey(), List.of()));
                    groupInGroup.addAll(parents);
                    for (Raw p : parents) {
                        for (Interval c : child.getValue()) {
                            Interval i = intersect(p, c, depth);
                            if (i != null && !p.group().equals(child.getKey()) && seen.add(key(i))) {
                                result.add(i);
                                next.computeIfAbsent(p.group(), g -> new ArrayList<>())
                                        .add(i);
                            }
                        }
                    }
                }
                frontier = next;
            }

            // names and deletion times of every group involved, in one query
            Set<UUID> groups = new HashSet<>();
            result.forEach(i -> groups.add(i.groupId()));
            Map<UUID, String> names = new HashMap<>();
            Map<UUID, Instant> deleted = new HashMap<>();
            log.groupFacts(conn, tenant, groups).forEach((g, facts) -> {
                names.put(g, facts.displayName());
                if (facts.deletedAt() != null) {
                    deleted.put(g, facts.deletedAt());
                }
            });
            // a group's deletion ends the intervals in it, and (indirectly) those inherited through it
            List<ObjectNode> out = new ArrayList<>();
            result.stream()
                    .map(i -> capByDeletion(i, deleted))
                    .filter(i -> i != null && (at == null || i.contains(at)))
                    .sorted(Comparator.comparing((Interval i) -> i.type().equals("direct") ? 0 : 1)
                            .thenComparing(i -> String.valueOf(names.get(i.groupId())))
                            .thenComparing(i -> i.groupId().toString())
                            .thenComparing(Interval::from))
                    .forEach(i -> out.add(render(i, names.get(i.groupId()))));
            return out;
        });
    }

    private static Interval capByDeletion(Interval i, Map<UUID, Instant> deleted) {
        Instant to = cap(i.to(), deleted.get(i.groupId()));
        if (i.via() != null) {
            to = cap(to, deleted.get(i.via()));
        }
        if (to != null && !to.isAfter(i.from())) {
            return null;
        }
        return new Interval(i.groupId(), i.type(), i.via(), i.depth(), i.from(), to);
    }

    private static Instant cap(Instant to, Instant limit) {
        if (limit == null) {
            return to;
        }
        return to == null || limit.isBefore(to) ? limit : to;
    }

    private static Interval intersect(Raw parent, Interval child, int depth) {
        Instant from = parent.from().isAfter(child.from()) ? parent.from() : child.from();
        Instant to = parent.to() == null
                ? child.to()
                : child.to() == null ? parent.to() : parent.to().isBefore(child.to()) ? parent.to() : child.to();
        if (to != null && !to.isAfter(from)) {
            return null;
        }
        return new Interval(parent.group(), "indirect", child.groupId(), depth, from, to);
    }

    private static String key(Interval i) {
        return i.groupId() + "|" + i.type() + "|" + i.via() + "|" + i.from() + "|" + i.to();
    }

    /** Folds one member's changes (in log order) into intervals per group. */
    private static List<Raw> raw(List<Change> changes) {
        Map<UUID, Instant> open = new LinkedHashMap<>();
        List<Raw> out = new ArrayList<>();
        for (Change c : changes) {
            if (c.added()) {
                open.putIfAbsent(c.group(), c.at());
            } else {
                Instant from = open.remove(c.group());
                if (from != null) {
                    out.add(new Raw(c.group(), c.member(), from, c.at()));
                }
            }
        }
        open.forEach((g, from) -> out.add(new Raw(g, null, from, null)));
        return out;
    }

    /**
     * One query: the tenant's membership events whose members contain any of {@code members}, in log order,
     * distributed to {@code byMember} (every requested id gets an entry, possibly empty).
     */
    private void fetchChanges(SqlClient conn, String tenant, Set<UUID> members, Map<UUID, List<Change>> byMember) {
        if (members.isEmpty()) {
            return;
        }
        members.forEach(m -> byMember.putIfAbsent(m, new ArrayList<>()));
        for (EventLogReader.MembershipChange c : log.membershipChanges(conn, tenant, members)) {
            for (JsonNode m : c.members()) {
                UUID member;
                try {
                    member = UUID.fromString(m.path("value").asText());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                List<Change> target = byMember.get(member);
                if (target != null) {
                    target.add(new Change(c.groupId(), member, c.added(), c.occurredAt(), c.position()));
                }
            }
        }
    }

    private static ObjectNode render(Interval i, String name) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("groupId", i.groupId().toString());
        n.put("groupDisplayName", name);
        n.put("type", i.type());
        if (i.via() != null) {
            n.put("via", i.via().toString());
        }
        n.put("from", i.from().toString());
        n.put("to", i.to() == null ? null : i.to().toString());
        return n;
    }
}
