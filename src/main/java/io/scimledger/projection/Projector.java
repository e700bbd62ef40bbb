package io.scimledger.projection;

import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.PgErrors;
import io.scimledger.events.StoredEvent;
import io.scimledger.scim.ScimException;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Applies one event to the read model. The write path calls it inside the append's transaction and the rebuild
 * calls it while replaying the log: one piece of code for both is what makes a rebuild give the same answers.
 *
 * <p>The payload given here is the opened one (personal values in clear, or absent for an erased person).
 */
@ApplicationScoped
public class Projector {

    /** Live writes enforce userName uniqueness through the claims table; a rebuild recreates claims at the end. */
    public enum Mode {
        LIVE,
        REBUILD
    }

    public void apply(SqlClient conn, StoredEvent e, ObjectNode payload, Mode mode) {
        if (e.streamType() == io.scimledger.events.StreamType.Tenant) {
            TenantProjection.apply(conn, e, payload); // the registry's tables
            return;
        }
        switch (e.type()) {
            case UserCreated -> insertUser(conn, e, payload.path("state"), mode);
            case UserReplaced, UserPatched -> updateUser(conn, e, payload.path("state"), mode);
            case UserDeleted, UserErased -> deleteUser(conn, e);
            case GroupCreated -> insertGroup(conn, e, payload.path("state"));
            case GroupReplaced, GroupPatched -> updateGroup(conn, e, payload.path("state"));
            case GroupMembersAdded -> addMembers(conn, e, payload.path("members"));
            case GroupMembersRemoved -> removeMembers(conn, e, payload.path("members"));
            case GroupDeleted -> deleteGroup(conn, e);
            default -> throw new IllegalStateException("no projection for " + e.type());
        }
    }

    private static void insertUser(SqlClient conn, StoredEvent e, JsonNode state, Mode mode) {
        query(
                conn,
                "INSERT INTO scim_user (tenant_id, id, user_name, external_id, active, doc, version, created, "
                        + "last_modified) VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $8)",
                e.tenant(),
                e.streamId(),
                userName(state),
                text(state, "externalId"),
                bool(state, "active"),
                document((ObjectNode) state),
                e.version(),
                time(e));
        if (mode == Mode.LIVE) {
            claimUserName(conn, e.tenant(), e.streamId(), userName(state));
        }
    }

    private static void updateUser(SqlClient conn, StoredEvent e, JsonNode state, Mode mode) {
        // The previous userName comes back from the same statement: the claim table is keyed by the name, and most
        // updates keep theirs (an earlier version rewrote the claim by user id, which no index serves: a scan of
        // the tenant's claims on every PATCH and PUT).
        String previous = previousUserName(query(
                conn,
                "WITH previous AS (SELECT user_name FROM scim_user WHERE tenant_id = $1 AND id = $2) "
                        + "UPDATE scim_user SET user_name = $3, external_id = $4, active = $5, doc = $6::text::jsonb, version = $7, "
                        + "last_modified = $8 WHERE tenant_id = $1 AND id = $2 "
                        + "RETURNING (SELECT user_name FROM previous) AS previous_user_name",
                e.tenant(),
                e.streamId(),
                userName(state),
                text(state, "externalId"),
                bool(state, "active"),
                document((ObjectNode) state),
                e.version(),
                time(e)));
        String now = userName(state);
        if (mode == Mode.LIVE && !java.util.Objects.equals(previous, now)) {
            releaseClaim(conn, e.tenant(), e.streamId(), previous);
            claimUserName(conn, e.tenant(), e.streamId(), now);
        }
    }

    private static String previousUserName(io.vertx.mutiny.sqlclient.RowSet<io.vertx.mutiny.sqlclient.Row> rows) {
        return rows.size() == 0 ? null : rows.iterator().next().getString("previous_user_name");
    }

    /** Drops the user's claim on {@code userName}, found by the claim table's key. */
    private static void releaseClaim(SqlClient conn, String tenant, UUID userId, String userName) {
        if (userName != null) {
            query(
                    conn,
                    "DELETE FROM user_name_claim WHERE tenant_id = $1 AND user_name_lower = lower($2) AND user_id = $3",
                    tenant,
                    userName,
                    userId);
        }
    }

    private static void deleteUser(SqlClient conn, StoredEvent e) {
        String userName = previousUserName(query(
                conn,
                "DELETE FROM scim_user WHERE tenant_id = $1 AND id = $2 RETURNING user_name AS previous_user_name",
                e.tenant(),
                e.streamId()));
        releaseClaim(conn, e.tenant(), e.streamId(), userName);
        // The write path removed the memberships with events first; this only guards the relation's integrity.
        query(conn, "DELETE FROM group_membership WHERE tenant_id = $1 AND member_id = $2", e.tenant(), e.streamId());
    }

    private static void insertGroup(SqlClient conn, StoredEvent e, JsonNode state) {
        query(
                conn,
                "INSERT INTO scim_group (tenant_id, id, display_name, external_id, doc, version, created, "
                        + "last_modified) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7, $7)",
                e.tenant(),
                e.streamId(),
                state.path("displayName").asText(""),
                text(state, "externalId"),
                document((ObjectNode) state),
                e.version(),
                time(e));
    }

    private static void updateGroup(SqlClient conn, StoredEvent e, JsonNode state) {
        query(
                conn,
                "UPDATE scim_group SET display_name = $3, external_id = $4, doc = $5::text::jsonb, version = $6, "
                        + "last_modified = $7 WHERE tenant_id = $1 AND id = $2",
                e.tenant(),
                e.streamId(),
                state.path("displayName").asText(""),
                text(state, "externalId"),
                document((ObjectNode) state),
                e.version(),
                time(e));
    }

    private static void addMembers(SqlClient conn, StoredEvent e, JsonNode members) {
        List<UUID> ids = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<String> displays = new ArrayList<>();
        for (JsonNode m : members) {
            ids.add(UUID.fromString(m.path("value").asText()));
            types.add(m.path("type").asText("User"));
            // in clear here (the writer's copy, or opened by MemberDisplays); a still-sealed one is not shown
            displays.add(m.path("display").isTextual() ? m.get("display").asText() : null);
        }
        // Only members that exist at this point of the log: a member deleted concurrently with this add was
        // removed by its UserDeleted/GroupDeleted, whichever way the two events are ordered in a replay.
        query(
                conn,
                "INSERT INTO group_membership (tenant_id, group_id, member_id, member_type, display) "
                        + "SELECT $1, $2, m.id, m.type, m.display "
                        + "FROM unnest($3::uuid[], $4::text[], $5::text[]) AS m(id, type, display) "
                        + "WHERE EXISTS (SELECT 1 FROM scim_user u WHERE u.tenant_id = $1 AND u.id = m.id) "
                        + "OR EXISTS (SELECT 1 FROM scim_group g WHERE g.tenant_id = $1 AND g.id = m.id) "
                        + "ON CONFLICT DO NOTHING",
                e.tenant(),
                e.streamId(),
                ids.toArray(new UUID[0]),
                types.toArray(new String[0]),
                displays.toArray(new String[0]));
        touchGroup(conn, e);
    }

    private static void removeMembers(SqlClient conn, StoredEvent e, JsonNode members) {
        List<UUID> ids = new ArrayList<>();
        for (JsonNode m : members) {
            ids.add(UUID.fromString(m.path("value").asText()));
        }
        query(
                conn,
                "DELETE FROM group_membership WHERE tenant_id = $1 AND group_id = $2 AND member_id = ANY($3)",
                e.tenant(),
                e.streamId(),
                ids.toArray(new UUID[0]));
        touchGroup(conn, e);
    }

    private static void deleteGroup(SqlClient conn, StoredEvent e) {
        query(conn, "DELETE FROM scim_group WHERE tenant_id = $1 AND id = $2", e.tenant(), e.streamId());
        query(
                conn,
                "DELETE FROM group_membership WHERE tenant_id = $1 AND (group_id = $2 OR member_id = $2)",
                e.tenant(),
                e.streamId());
    }

    private static void touchGroup(SqlClient conn, StoredEvent e) {
        query(
                conn,
                "UPDATE scim_group SET version = $3, last_modified = $4 WHERE tenant_id = $1 AND id = $2",
                e.tenant(),
                e.streamId(),
                e.version(),
                time(e));
    }

    private static void claimUserName(SqlClient conn, String tenant, UUID userId, String userName) {
        try {
            query(
                    conn,
                    "INSERT INTO user_name_claim (tenant_id, user_name_lower, user_id) VALUES ($1, lower($2), $3)",
                    tenant,
                    userName,
                    userId);
        } catch (RuntimeException ex) {
            if (PgErrors.isUniqueViolation(ex, "user_name_claim_pkey")) {
                throw ScimException.uniqueness("userName '" + userName + "' is already taken in this tenant");
            }
            throw ex;
        }
    }

    /**
     * The rebuild recreates all claims from the final users in one statement. A log written by this service never
     * holds two live users with one userName; should a damaged or foreign log do so, the earliest created keeps the
     * claim and the rebuild reports the others instead of failing.
     *
     * @param named how many users have a userName (the fold counted them as it wrote them)
     * @return how many users could not claim their userName
     */
    static long rebuildClaims(SqlClient conn, long named) {
        long inserted = query(
                        conn,
                        "INSERT INTO user_name_claim (tenant_id, user_name_lower, user_id) "
                                + "SELECT DISTINCT ON (tenant_id, lower(user_name)) tenant_id, lower(user_name), id FROM scim_user "
                                + "WHERE user_name <> '' ORDER BY tenant_id, lower(user_name), created, id")
                .rowCount();
        return named - inserted;
    }

    /**
     * The document column's value, live and in the rebuild's bulk load: the tree's own JSON text, cast to jsonb by
     * the statement ({@code $n::text::jsonb}). A Vert.x JsonObject made from that text would only parse it into maps
     * and render it again for the same jsonb value.
     */
    static String document(ObjectNode state) {
        return state.toString();
    }

    static String userName(JsonNode state) {
        // An erased person's userName is unreadable; keep the row addressable by id.
        return state.path("userName").asText("");
    }

    static String text(JsonNode state, String field) {
        JsonNode v = state.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static Boolean bool(JsonNode state, String field) {
        JsonNode v = state.get(field);
        return v == null || v.isNull() ? null : v.asBoolean();
    }

    private static OffsetDateTime time(StoredEvent e) {
        return OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC);
    }
}
