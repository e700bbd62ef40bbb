package io.scimledger.projection;

import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.events.EventStore;
import io.scimledger.events.StoredEvent;
import io.scimledger.privacy.DataKey;
import io.scimledger.privacy.DataKeyStore;
import io.scimledger.privacy.MemberDisplays;
import io.scimledger.privacy.PersonalDataCipher;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Drops every projection and rebuilds it from the event log, in one transaction: readers keep seeing the old
 * projections until the new ones commit, and writers wait on the table locks rather than interleave with the replay.
 * It replays through the same {@link Projector} the write path uses, so the result is the live state.
 */
@ApplicationScoped
public class ProjectionRebuilder {

    private static final Logger LOG = Logger.getLogger(ProjectionRebuilder.class);
    private static final int BATCH = 2_000;

    public record Report(long eventsReplayed, long users, long groups, long memberships, long millis) {}

    private final Database db;
    private final EventStore events;
    private final Projector projector;
    private final DataKeyStore dataKeys;

    public ProjectionRebuilder(Database db, EventStore events, Projector projector, DataKeyStore dataKeys) {
        this.db = db;
        this.events = events;
        this.projector = projector;
        this.dataKeys = dataKeys;
    }

    public Report rebuild() {
        long start = System.nanoTime();
        Report report = db.inTransaction(conn -> {
            query(
                    conn,
                    "LOCK TABLE scim_user, scim_group, group_membership, user_name_claim, tenant, tenant_credential "
                            + "IN EXCLUSIVE MODE");
            // The registry is a projection too. A token's last use is not in the log and starts over.
            query(conn, "DELETE FROM tenant_credential");
            query(conn, "DELETE FROM tenant");
            query(conn, "DELETE FROM group_membership");
            query(conn, "DELETE FROM user_name_claim");
            query(conn, "DELETE FROM scim_group");
            query(conn, "DELETE FROM scim_user");
            long replayed = 0;
            long after = 0;
            while (true) {
                List<StoredEvent> batch = events.readAllTenantsAfter(conn, after, BATCH);
                if (batch.isEmpty()) {
                    break;
                }
                Map<UUID, Optional<DataKey>> keys = new HashMap<>(); // one lookup per user and batch
                for (StoredEvent e : batch) {
                    ObjectNode payload = e.payload();
                    if (e.type() == io.scimledger.events.EventType.GroupMembersAdded) {
                        // members' displays are sealed under each member's key, not the group's
                        payload = MemberDisplays.open(
                                payload, id -> keys.computeIfAbsent(id, k -> dataKeys.find(conn, k)));
                    }
                    if (PersonalDataCipher.containsSealed(payload)) {
                        payload = PersonalDataCipher.openObject(
                                payload, keys.computeIfAbsent(e.streamId(), id -> dataKeys.find(conn, id)));
                    }
                    projector.apply(conn, e, payload, Projector.Mode.REBUILD);
                    after = e.position();
                    replayed++;
                }
            }
            long unclaimed = Projector.rebuildClaims(conn);
            if (unclaimed > 0) {
                LOG.warnf(
                        "rebuild: %d users share a userName with an earlier user of their tenant; "
                                + "the earliest keeps it (the log holds a conflict this service never writes)",
                        unclaimed);
            }
            return new Report(
                    replayed, count(conn, "scim_user"), count(conn, "scim_group"), count(conn, "group_membership"), 0);
        });
        long millis = (System.nanoTime() - start) / 1_000_000;
        LOG.infof("projections rebuilt from %d events in %d ms", report.eventsReplayed(), millis);
        return new Report(report.eventsReplayed(), report.users(), report.groups(), report.memberships(), millis);
    }

    private static long count(io.vertx.mutiny.sqlclient.SqlClient conn, String table) {
        return query(conn, "SELECT count(*) AS n FROM " + table)
                .iterator()
                .next()
                .getLong("n");
    }
}
