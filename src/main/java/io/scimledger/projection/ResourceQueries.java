package io.scimledger.projection;

import static io.scimledger.db.Database.query;
import static io.scimledger.db.Database.statement;

import io.scimledger.events.JsonSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads of the projections by id and of the membership relation. Lists with filters live in ResourceSearch.
 *
 * <p>The reads a GET answers return {@link Uni}s, so the read path stays on the event loop (docs/performance.md);
 * writers on worker threads await them ({@code Database.await}).
 */
@ApplicationScoped
public class ResourceQueries {

    /**
     * The columns {@link #row} reads; scim_user and scim_group share them. The document comes as jsonb text and is
     * parsed once, by Jackson (the driver's JSON object would be parsed, re-encoded and parsed again).
     */
    static final String COLUMNS = "r.id, r.doc::text AS doc, r.version, r.created, r.last_modified";

    public Uni<Optional<ResourceRow>> findUser(SqlClient conn, String tenant, UUID id) {
        return statement(
                        conn,
                        "SELECT " + COLUMNS + " FROM scim_user r WHERE r.tenant_id = $1 AND r.id = $2",
                        tenant,
                        id)
                .map(ResourceQueries::firstRow);
    }

    private static Optional<ResourceRow> firstRow(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        return rows.size() == 0
                ? Optional.empty()
                : Optional.of(row(rows.iterator().next()));
    }

    /** A resource row with its relation (a user's groups, a group's members), read by one statement or two. */
    public record WithRelation(ResourceRow row, List<Member> related) {}

    /**
     * A user and its groups (as {@link #groupsOf} computes them, in the same order) in ONE statement: the groups are
     * joined to the user row, so a GET /Users/{id} is one round trip and one snapshot instead of two
     * (docs/performance.md). The user's document repeats on each of its group rows; it is read from the first.
     */
    public Uni<Optional<WithRelation>> findUserWithGroups(SqlClient conn, String tenant, UUID id) {
        return statement(
                        conn,
                        "SELECT " + COLUMNS + ", x.group_id, x.indirect, x.display_name FROM scim_user r"
                                + " LEFT JOIN LATERAL (WITH RECURSIVE reach(member_id, group_id, indirect) AS ("
                                + " SELECT m.member_id, m.group_id, false FROM group_membership m"
                                + "  WHERE m.tenant_id = $1 AND m.member_id = $2"
                                + " UNION"
                                + " SELECT reach.member_id, p.group_id, true FROM reach JOIN group_membership p"
                                + "  ON p.tenant_id = $1 AND p.member_id = reach.group_id"
                                + ") SELECT reach.group_id, bool_and(reach.indirect) AS indirect, g.display_name"
                                + " FROM reach JOIN scim_group g ON g.tenant_id = $1 AND g.id = reach.group_id"
                                + " WHERE reach.group_id <> reach.member_id"
                                + " GROUP BY reach.group_id, g.display_name) x ON true"
                                + " WHERE r.tenant_id = $1 AND r.id = $2"
                                + " ORDER BY x.display_name, x.group_id",
                        tenant,
                        id)
                .map(ResourceQueries::userWithGroups);
    }

    private static Optional<WithRelation> userWithGroups(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        if (rows.size() == 0) {
            return Optional.empty();
        }
        ResourceRow user = null;
        List<Member> groups = new ArrayList<>();
        for (Row r : rows) {
            if (user == null) {
                user = row(r);
            }
            UUID group = r.getUUID("group_id");
            if (group != null) {
                groups.add(new Member(
                        group, r.getBoolean("indirect") ? "indirect" : "direct", r.getString("display_name")));
            }
        }
        return Optional.of(new WithRelation(user, groups));
    }

    public Uni<Optional<ResourceRow>> findGroup(SqlClient conn, String tenant, UUID id) {
        return statement(
                        conn,
                        "SELECT " + COLUMNS + " FROM scim_group r WHERE r.tenant_id = $1 AND r.id = $2",
                        tenant,
                        id)
                .map(ResourceQueries::firstRow);
    }

    /**
     * Members of several groups at once (one query for a page of groups), each with the display the client sent
     * when it added the member, else the member's current name (docs/compatibility.md, "Group member display").
     */
    public Uni<Map<UUID, List<Member>>> membersOf(SqlClient conn, String tenant, Collection<UUID> groupIds) {
        Map<UUID, List<Member>> out = new HashMap<>();
        for (UUID g : groupIds) {
            out.put(g, new ArrayList<>());
        }
        if (groupIds.isEmpty()) {
            return Uni.createFrom().item(out);
        }
        return statement(
                        conn,
                        "SELECT m.group_id, m.member_id, m.member_type, "
                                + "COALESCE(m.display, u.doc ->> 'displayName', u.user_name, g.display_name) AS display "
                                + "FROM group_membership m "
                                + "LEFT JOIN scim_user u ON m.member_type = 'User' AND u.tenant_id = m.tenant_id AND u.id = m.member_id "
                                + "LEFT JOIN scim_group g ON m.member_type = 'Group' AND g.tenant_id = m.tenant_id AND g.id = m.member_id "
                                + "WHERE m.tenant_id = $1 AND m.group_id = ANY($2) ORDER BY m.group_id, m.member_id",
                        tenant,
                        groupIds.toArray(new UUID[0]))
                .map(rows -> {
                    for (Row r : rows) {
                        out.get(r.getUUID("group_id"))
                                .add(new Member(
                                        r.getUUID("member_id"), r.getString("member_type"), r.getString("display")));
                    }
                    return out;
                });
    }

    /**
     * Groups of several users or groups (User.groups), direct and indirect (through nested groups), in one recursive
     * query. Depth is folded to 0 (direct) or 1 (indirect) so the recursion ends even if groups form a cycle.
     */
    public Uni<Map<UUID, List<Member>>> groupsOf(SqlClient conn, String tenant, Collection<UUID> memberIds) {
        Map<UUID, List<Member>> out = new HashMap<>();
        for (UUID m : memberIds) {
            out.put(m, new ArrayList<>());
        }
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(out);
        }
        return statement(
                        conn,
                        "WITH RECURSIVE reach(member_id, group_id, indirect) AS ("
                                + " SELECT m.member_id, m.group_id, false FROM group_membership m"
                                + "  WHERE m.tenant_id = $1 AND m.member_id = ANY($2)"
                                + " UNION"
                                + " SELECT reach.member_id, p.group_id, true FROM reach JOIN group_membership p"
                                + "  ON p.tenant_id = $1 AND p.member_id = reach.group_id"
                                + ") SELECT reach.member_id, reach.group_id, bool_and(reach.indirect) AS indirect, g.display_name"
                                + " FROM reach JOIN scim_group g ON g.tenant_id = $1 AND g.id = reach.group_id"
                                + " WHERE reach.group_id <> reach.member_id"
                                + " GROUP BY reach.member_id, reach.group_id, g.display_name"
                                + " ORDER BY reach.member_id, g.display_name, reach.group_id",
                        tenant,
                        memberIds.toArray(new UUID[0]))
                .map(rows -> {
                    for (Row r : rows) {
                        out.get(r.getUUID("member_id"))
                                .add(new Member(
                                        r.getUUID("group_id"),
                                        r.getBoolean("indirect") ? "indirect" : "direct",
                                        r.getString("display_name")));
                    }
                    return out;
                });
    }

    /** Which of the given ids are current members of the group (touches only those rows). */
    public Map<UUID, String> currentMembers(SqlClient conn, String tenant, UUID groupId, Collection<UUID> candidates) {
        Map<UUID, String> out = new HashMap<>();
        if (candidates.isEmpty()) {
            return out;
        }
        for (Row r : query(
                conn,
                "SELECT member_id, member_type FROM group_membership "
                        + "WHERE tenant_id = $1 AND group_id = $2 AND member_id = ANY($3)",
                tenant,
                groupId,
                candidates.toArray(new UUID[0]))) {
            out.put(r.getUUID("member_id"), r.getString("member_type"));
        }
        return out;
    }

    /** Every member of one group; only full replacements (replace members, PUT) need this. */
    public Map<UUID, String> allMembers(SqlClient conn, String tenant, UUID groupId) {
        Map<UUID, String> out = new HashMap<>();
        for (Row r : query(
                conn,
                "SELECT member_id, member_type FROM group_membership WHERE tenant_id = $1 AND group_id = $2",
                tenant,
                groupId)) {
            out.put(r.getUUID("member_id"), r.getString("member_type"));
        }
        return out;
    }

    /** The groups that contain the given member (user or group), with their versions for the removal events. */
    public Map<UUID, Long> groupsContaining(SqlClient conn, String tenant, UUID memberId) {
        Map<UUID, Long> out = new HashMap<>();
        for (Row r : query(
                conn,
                "SELECT g.id, g.version FROM group_membership m JOIN scim_group g "
                        + "ON g.tenant_id = m.tenant_id AND g.id = m.group_id WHERE m.tenant_id = $1 AND m.member_id = $2",
                tenant,
                memberId)) {
            out.put(r.getUUID("id"), r.getLong("version"));
        }
        return out;
    }

    /** Resolves member ids to their resource type ("User" or "Group") within the tenant; unknown ids are absent. */
    public Map<UUID, String> resourceTypesOf(SqlClient conn, String tenant, Collection<UUID> ids) {
        Map<UUID, String> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        UUID[] arr = ids.toArray(new UUID[0]);
        for (Row r : query(
                conn,
                "SELECT id, 'User' AS type FROM scim_user WHERE tenant_id = $1 AND id = ANY($2) "
                        + "UNION ALL SELECT id, 'Group' FROM scim_group WHERE tenant_id = $1 AND id = ANY($2)",
                tenant,
                arr)) {
            out.put(r.getUUID("id"), r.getString("type"));
        }
        return out;
    }

    /**
     * Locks the given users and groups against deletion until the caller's transaction ends (FOR KEY SHARE, so
     * ordinary updates of them are not blocked) and returns the ids that still exist. A membership is only
     * committed while its member is guaranteed to exist; a concurrent delete either waits or makes this answer shrink.
     */
    public java.util.Set<UUID> lockExisting(SqlClient conn, String tenant, Collection<UUID> ids) {
        java.util.Set<UUID> out = new java.util.HashSet<>();
        if (ids.isEmpty()) {
            return out;
        }
        UUID[] arr = ids.toArray(new UUID[0]);
        for (Row r : query(
                conn, "SELECT id FROM scim_user WHERE tenant_id = $1 AND id = ANY($2) FOR KEY SHARE", tenant, arr)) {
            out.add(r.getUUID("id"));
        }
        for (Row r : query(
                conn, "SELECT id FROM scim_group WHERE tenant_id = $1 AND id = ANY($2) FOR KEY SHARE", tenant, arr)) {
            out.add(r.getUUID("id"));
        }
        return out;
    }

    static ResourceRow row(Row r) {
        return new ResourceRow(
                r.getUUID("id"),
                JsonSupport.toObjectNode(r.getValue("doc")),
                r.getLong("version"),
                r.getOffsetDateTime("created").toInstant(),
                r.getOffsetDateTime("last_modified").toInstant());
    }
}
