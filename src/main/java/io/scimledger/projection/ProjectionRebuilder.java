package io.scimledger.projection;

import static io.scimledger.db.Database.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.db.DatabaseUnavailableException;
import io.scimledger.db.PgErrors;
import io.scimledger.events.EventStore;
import io.scimledger.events.EventType;
import io.scimledger.events.StoredEvent;
import io.scimledger.events.StreamType;
import io.scimledger.privacy.DataKey;
import io.scimledger.privacy.DataKeyStore;
import io.scimledger.privacy.MemberDisplays;
import io.scimledger.privacy.PersonalDataCipher;
import io.scimledger.scim.ScimException;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Rebuilds every projection from the event log while the service keeps answering (docs/decisions/0012).
 *
 * <ol>
 *   <li>Fold: empty shadow tables (schema {@code projection_shadow}) are filled from what one REPEATABLE READ
 *       snapshot of the log holds ({@link ProjectionFold}), then indexed. No lock on the live tables.
 *   <li>Catch up: the events that committed since, in commit order, through the one {@link Projector} (the
 *       rebuild's search_path puts the shadow schema first, so its unqualified SQL writes the shadow tables). Repeated
 *       while much arrived during the previous round, without locks.
 *   <li>Switch: one short transaction locks the live tables (writers project in their append's transaction, so
 *       from then on no event can commit unprojected), replays the last events, and swaps the shadow tables in.
 *       Requests wait only for this transaction ({@link #trySwitch}).
 * </ol>
 */
@ApplicationScoped
public class ProjectionRebuilder {

    private static final Logger LOG = Logger.getLogger(ProjectionRebuilder.class);

    /** Catch-up rounds stop when fewer events than this arrived during the last one: the locked round is short. */
    static final int SMALL_ENOUGH_TO_LOCK = 100;
    /** ... or after this many rounds, should writers keep pace with the catch-up. */
    static final int MAX_OPEN_ROUNDS = 5;
    /** How long the switch waits for each live table's lock before it gives way (see {@link #trySwitch}). */
    static final String LOCK_TIMEOUT = "100ms";
    /** Attempts at the switch before the rebuild gives up (each after a fresh catch-up round). */
    static final int SWITCH_ATTEMPTS = 50;
    /** Attempts that wait past deadlock_timeout for a VACUUM to be cancelled (see {@link #trySwitch}). */
    static final int MAX_VACUUM_WAITS = 3;

    private static final String LIVE_TABLES = "public.scim_user, public.scim_group, public.group_membership, "
            + "public.user_name_claim, public.tenant, public.tenant_credential";

    /**
     * Test-only: called with the phase's name ("folding" once the fold's snapshot is taken, "locking" before the
     * switch), so a test can hold a rebuild open while it reads and writes. Does nothing in the service.
     */
    public static volatile Consumer<String> pauseForTests = phase -> {};

    public record Report(
            long eventsReplayed,
            long eventsFolded,
            long eventsCaughtUp,
            int catchUpRounds,
            long users,
            long groups,
            long memberships,
            long millis,
            long writersPausedMillis,
            long eventsPerSecond) {}

    private record Folded(String snapshot, ProjectionFold.Counts counts) {}

    private record Round(String snapshot, int events) {}

    private record Switched(int events) {}

    private final Database db;
    private final EventStore events;
    private final Projector projector;
    private final DataKeyStore dataKeys;
    /** One rebuild at a time per instance: the shadow tables are one set. */
    private final AtomicBoolean running = new AtomicBoolean();

    /** Where the fold's COPY connection goes: the settings the schema migrations use ({@link ShadowCopy}). */
    private final String dbHost;

    private final int dbPort;
    private final String dbName;
    private final String dbUser;
    private final String dbPassword;

    public ProjectionRebuilder(
            Database db,
            EventStore events,
            Projector projector,
            DataKeyStore dataKeys,
            @ConfigProperty(name = "scim.db.host") String dbHost,
            @ConfigProperty(name = "scim.db.port") int dbPort,
            @ConfigProperty(name = "scim.db.name") String dbName,
            @ConfigProperty(name = "scim.db.app-user") String dbUser,
            @ConfigProperty(name = "scim.db.app-password") String dbPassword) {
        this.db = db;
        this.dbHost = dbHost;
        this.dbPort = dbPort;
        this.dbName = dbName;
        this.dbUser = dbUser;
        this.dbPassword = dbPassword;
        this.events = events;
        this.projector = projector;
        this.dataKeys = dataKeys;
    }

    public Report rebuild() {
        if (!running.compareAndSet(false, true)) {
            throw alreadyRunning();
        }
        try {
            // One rebuild across all instances too: a session advisory lock on a connection held for the whole run
            // (the server releases it should this instance die).
            SqlConnection guard = db.connect();
            try {
                if (!query(guard, "SELECT pg_try_advisory_lock(hashtext('scim-ledger-rebuild')) AS l")
                        .iterator()
                        .next()
                        .getBoolean("l")) {
                    throw alreadyRunning();
                }
                try {
                    return rebuildOnline();
                } catch (RuntimeException e) {
                    discardQuietly();
                    throw e;
                } finally {
                    query(guard, "SELECT pg_advisory_unlock(hashtext('scim-ledger-rebuild'))");
                }
            } finally {
                guard.closeAndAwait();
            }
        } finally {
            running.set(false);
        }
    }

    private static ScimException alreadyRunning() {
        return new ScimException(409, null, "a projection rebuild is already running");
    }

    private Report rebuildOnline() {
        long start = System.nanoTime();
        db.inTransaction(conn -> query(conn, "SELECT projection_shadow_prepare()"));
        Folded folded;
        try (ShadowCopy copier = ShadowCopy.open(dbHost, dbPort, dbName, dbUser, dbPassword)) {
            folded = db.inTransaction(reader -> {
                query(reader, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
                String snapshot = currentSnapshot(reader); // the first statement fixes the transaction's snapshot
                pauseForTests.accept("folding");
                return new Folded(
                        snapshot,
                        new ProjectionFold(reader, events, this::inShadow, copier, dataKeys, projector).run());
            });
        }
        long indexStart = System.nanoTime();
        long claimsMillis =
                buildShadowIndexes(() -> claimUserNames(folded.counts().namedUsers()));
        long foldMillis = (System.nanoTime() - start) / 1_000_000;
        LOG.infof(
                "rebuild: folded %d events in %d ms (%s; userName claims %d ms beside the other tables' indexes, "
                        + "indexes and claims %d ms)",
                folded.counts().events(),
                foldMillis,
                folded.counts().timings(),
                claimsMillis,
                (System.nanoTime() - indexStart) / 1_000_000);
        String seen = folded.snapshot();
        long caughtUp = 0;
        int rounds = 0;
        Switched switched = null;
        long pausedMillis = 0;
        List<String> outwait = List.of();
        int vacuumWaits = 0;
        for (int attempt = 1; switched == null; attempt++) {
            String since = seen;
            Round round = db.inTransaction(conn -> {
                query(conn, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                String snapshot = currentSnapshot(conn);
                writeShadow(conn);
                return new Round(snapshot, catchUp(conn, since));
            });
            rounds++;
            caughtUp += round.events();
            seen = round.snapshot();
            if (round.events() >= SMALL_ENOUGH_TO_LOCK && rounds < MAX_OPEN_ROUNDS) {
                continue;
            }
            pauseForTests.accept("locking");
            long lockStart = System.nanoTime();
            vacuumWaits += outwait.isEmpty() ? 0 : 1;
            switched = trySwitch(seen, outwait);
            pausedMillis = (System.nanoTime() - lockStart) / 1_000_000;
            if (switched == null) {
                // a VACUUM still there after the long waits is one PostgreSQL does not cancel: back to short attempts
                outwait = vacuumWaits < MAX_VACUUM_WAITS ? tablesUnderVacuum() : List.of();
                if (attempt >= SWITCH_ATTEMPTS) {
                    throw new DatabaseUnavailableException(
                            "the projection rebuild could not take the projection tables' locks "
                                    + SWITCH_ATTEMPTS
                                    + " times; the live projections are unchanged",
                            null,
                            false);
                }
                pauseBeforeRetry(attempt);
            }
        }
        // counted on the live tables after the switch, so the locked moment stays short
        long[] rows = db.withConnection(conn ->
                new long[] {count(conn, "scim_user"), count(conn, "scim_group"), count(conn, "group_membership")});
        long end = System.nanoTime();
        long millis = (end - start) / 1_000_000;
        caughtUp += switched.events();
        long replayed = folded.counts().events() + caughtUp;
        long rate = replayed * 1000 / Math.max(1, millis);
        LOG.infof(
                "projections rebuilt online from %d events (%d folded in %d ms, %d caught up in %d rounds) in %d ms: "
                        + "%d events/s; writers paused %d ms",
                replayed, folded.counts().events(), foldMillis, caughtUp, rounds, millis, rate, pausedMillis);
        return new Report(
                replayed,
                folded.counts().events(),
                caughtUp,
                rounds,
                rows[0],
                rows[1],
                rows[2],
                millis,
                pausedMillis,
                rate);
    }

    /**
     * The switch, in one transaction: ACCESS EXCLUSIVE locks on the live tables, the last events, the swap.
     *
     * <p>Why ACCESS EXCLUSIVE from the start and not EXCLUSIVE (which readers pass) until the swap: a writer reads
     * the projections (ACCESS SHARE, kept until its commit) before it writes them, so a writer parked behind an
     * EXCLUSIVE lock holds a lock the swap's DROP must wait for, while it waits for the rebuild: a deadlock on every
     * switch under write load. With ACCESS EXCLUSIVE, new requests queue before their first read, holding nothing.
     * Writers already inside a transaction may still hold one table while wanting another the switch holds: the
     * switch waits at most {@value #LOCK_TIMEOUT} for each lock (well below PostgreSQL's deadlock_timeout, so the
     * rebuild, never a client's write, is the one that gives way), rolls back and is tried again after a new
     * catch-up round. Readers and writers wait only for this transaction, which replays fewer than
     * {@value #SMALL_ENOUGH_TO_LOCK} events.
     *
     * <p>Autovacuum: a VACUUM or ANALYZE of a live table (the tables a previous rebuild swapped in are vacuumed
     * soon after) holds its lock for seconds, longer than all attempts at {@value #LOCK_TIMEOUT} together; a rebuild
     * right after another failed that way in the benchmark. PostgreSQL cancels an autovacuum that blocks a lock
     * request once the request has waited deadlock_timeout (not one that prevents wraparound; see "Routine
     * Vacuuming" in its manual). So after a failed attempt the tables a VACUUM holds ({@link #tablesUnderVacuum})
     * are locked first in the next one, holding nothing else, with a wait of deadlock_timeout plus a second; then
     * the others at {@value #LOCK_TIMEOUT}. Holding nothing while it waits long, the switch cannot be part of a
     * deadlock cycle, so no client's write can become PostgreSQL's victim, and only that table's requests queue
     * behind it meanwhile. At most {@value #MAX_VACUUM_WAITS} such attempts per rebuild: a VACUUM still there
     * after them is one PostgreSQL does not cancel (wraparound, manual), and waiting longer would only stall traffic.
     *
     * @param outwait tables to lock first with the long wait (empty: none)
     * @return null if a lock was not granted in time
     */
    private Switched trySwitch(String since, List<String> outwait) {
        try {
            return db.inTransaction(conn -> {
                if (!outwait.isEmpty()) {
                    query(
                            conn,
                            "SELECT set_config('lock_timeout', (extract(epoch FROM "
                                    + "current_setting('deadlock_timeout')::interval) * 1000 + 1000)::bigint::text, "
                                    + "true)");
                    query(conn, "LOCK TABLE " + String.join(", ", outwait) + " IN ACCESS EXCLUSIVE MODE");
                }
                query(conn, "SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
                query(conn, "LOCK TABLE " + LIVE_TABLES + " IN ACCESS EXCLUSIVE MODE");
                // READ COMMITTED: the next statement's snapshot is taken with the locks held, so it sees every
                // event that was projected into the old tables; later ones are projected into the new tables.
                writeShadow(conn);
                int n = catchUp(conn, since);
                // Not in the log: when each provisioning token last authenticated. Carried over, not reset.
                query(
                        conn,
                        "UPDATE projection_shadow.tenant_credential s SET last_used_at = l.last_used_at "
                                + "FROM public.tenant_credential l WHERE s.credential_id = l.credential_id");
                query(conn, "SELECT projection_shadow_swap()");
                return new Switched(n);
            });
        } catch (RuntimeException e) {
            if (PgErrors.isLockTimeout(e) || PgErrors.isDeadlock(e)) {
                LOG.infof(
                        "rebuild: the switch did not get its locks within %s; trying again",
                        outwait.isEmpty() ? LOCK_TIMEOUT : "deadlock_timeout + 1 s, then " + LOCK_TIMEOUT);
                return null;
            }
            throw e;
        }
    }

    /**
     * The live projection tables on which something holds a SHARE UPDATE EXCLUSIVE lock: what VACUUM and ANALYZE,
     * automatic or not, take (the service itself never does on these tables). pg_locks shows every session's
     * locks; whether a session is an autovacuum worker is hidden from roles without pg_read_all_stats, so the lock
     * mode decides. A manual VACUUM is not cancelled by the longer wait: that attempt fails like any other.
     */
    private List<String> tablesUnderVacuum() {
        List<String> live = List.of(LIVE_TABLES.split(", "));
        List<String> held = new ArrayList<>();
        db.withConnection(conn -> query(
                        conn,
                        "SELECT DISTINCT n.nspname || '.' || c.relname AS t FROM pg_locks l "
                                + "JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace "
                                + "WHERE l.locktype = 'relation' AND l.granted AND l.mode = 'ShareUpdateExclusiveLock' "
                                + "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"))
                .forEach(r -> {
                    String t = r.getString("t");
                    if (live.contains(t)) {
                        held.add(t); // only names of our own list reach the LOCK statement
                    }
                });
        if (!held.isEmpty()) {
            LOG.infof(
                    "rebuild: a VACUUM or ANALYZE holds %s; the next attempt locks it first and waits past "
                            + "deadlock_timeout, after which PostgreSQL cancels an autovacuum",
                    held);
        }
        return held;
    }

    private static void pauseBeforeRetry(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(20, 60L * Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted between attempts to switch the projections", e);
        }
    }

    /** The folded users' userName claims, derived from the shadow scim_user rows (the earliest user keeps a name). */
    private void claimUserNames(long named) {
        db.inTransaction(conn -> {
            writeShadow(conn);
            long unclaimed = Projector.rebuildClaims(conn, named);
            if (unclaimed > 0) {
                LOG.warnf(
                        "rebuild: %d users share a userName with an earlier user of their tenant; "
                                + "the earliest keeps it (the log holds a conflict this service never writes)",
                        unclaimed);
            }
            return null;
        });
    }

    /**
     * The userName claims and the shadow tables' indexes, on two connections at once. On a second thread: first
     * {@code claims} (reads scim_user, fills user_name_claim), then scim_user's indexes (the widest table, about half
     * the index work; its primary key's ALTER TABLE takes ACCESS EXCLUSIVE, so it must come after the claims' read).
     * Here: the other tables' indexes, user_name_claim's last, once its rows are in. Each step is its own
     * transaction; a failure leaves tables the swap refuses and the rebuild's discard drops.
     *
     * @return how long {@code claims} took, in ms
     */
    private long buildShadowIndexes(Runnable claims) {
        List<String> tables = db.withConnection(conn -> {
            List<String> names = new ArrayList<>();
            query(conn, "SELECT unnest(projection_tables()) AS t").forEach(r -> names.add(r.getString("t")));
            return names;
        });
        ExecutorService second = Executors.newSingleThreadExecutor(r -> new Thread(r, "rebuild-indexer"));
        CompletableFuture<Long> claimed = new CompletableFuture<>();
        try {
            // one task: scim_user is not indexed after failed claims (the rebuild is failing; nothing to wait for)
            Future<?> users = second.submit(() -> {
                long start = System.nanoTime();
                try {
                    claims.run();
                } catch (RuntimeException e) {
                    claimed.completeExceptionally(e);
                    throw e;
                }
                claimed.complete((System.nanoTime() - start) / 1_000_000);
                indexShadow("scim_user");
            });
            for (String t : tables) {
                if (!t.equals("scim_user") && !t.equals("user_name_claim")) {
                    indexShadow(t);
                }
            }
            long claimsMillis = claimed.get();
            indexShadow("user_name_claim");
            users.get();
            return claimsMillis;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while indexing the shadow tables", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            second.shutdownNow();
            try {
                // the discard that follows a failure drops these tables: let the other connection's statement end
                second.awaitTermination(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void indexShadow(String table) {
        db.inTransaction(conn -> query(conn, "SELECT projection_shadow_index($1)", table));
    }

    /** One write to the shadow tables in its own transaction. */
    private void inShadow(java.util.function.Consumer<SqlClient> work) {
        db.inTransaction(conn -> {
            writeShadow(conn);
            work.accept(conn);
            return null;
        });
    }

    /** Unqualified projection table names now mean the shadow tables, until the transaction ends. */
    private static void writeShadow(SqlClient conn) {
        query(conn, "SET LOCAL search_path = projection_shadow, public");
    }

    private static String currentSnapshot(SqlClient conn) {
        return query(conn, "SELECT pg_current_snapshot()::text AS s")
                .iterator()
                .next()
                .getString("s");
    }

    /**
     * Replays, through the Projector, the events committed since {@code snapshot} was taken; the personal values
     * opened as the live path had them. Returns how many.
     */
    private int catchUp(SqlClient conn, String snapshot) {
        List<StoredEvent> missed = events.readAllTenantsNotIn(conn, snapshot);
        Map<UUID, Optional<DataKey>> keys = new HashMap<>(); // one lookup per user and round
        Map<UUID, String> users = new LinkedHashMap<>(); // user id -> tenant
        for (StoredEvent e : missed) {
            ObjectNode payload = e.payload();
            if (e.type() == EventType.GroupMembersAdded) {
                // members' displays are sealed under each member's key, not the group's
                payload = MemberDisplays.open(payload, id -> keys.computeIfAbsent(id, k -> dataKeys.find(conn, k)));
            }
            if (PersonalDataCipher.containsSealed(payload)) {
                payload = PersonalDataCipher.openObject(
                        payload, keys.computeIfAbsent(e.streamId(), id -> dataKeys.find(conn, id)));
            }
            projector.apply(conn, e, payload, Projector.Mode.REBUILD);
            if (e.streamType() == StreamType.User) {
                users.put(e.streamId(), e.tenant());
            }
        }
        reclaimUserNames(conn, users);
        return missed.size();
    }

    /**
     * The replay runs in REBUILD mode (no claims per event, as in the fold); the claims of the users it touched are
     * recomputed from their rows afterwards. Others keep theirs, so a taken name stays with its holder.
     */
    private static void reclaimUserNames(SqlClient conn, Map<UUID, String> touched) {
        if (touched.isEmpty()) {
            return;
        }
        List<String> tenants = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        touched.forEach((id, tenant) -> {
            tenants.add(tenant);
            ids.add(id);
        });
        Object[] params = {tenants.toArray(String[]::new), ids.toArray(UUID[]::new)};
        query(
                conn,
                "DELETE FROM user_name_claim c USING unnest($1::text[], $2::uuid[]) AS t(tenant_id, id) "
                        + "WHERE c.tenant_id = t.tenant_id AND c.user_id = t.id",
                params);
        query(
                conn,
                "INSERT INTO user_name_claim (tenant_id, user_name_lower, user_id) "
                        + "SELECT u.tenant_id, lower(u.user_name), u.id FROM scim_user u "
                        + "JOIN unnest($1::text[], $2::uuid[]) AS t(tenant_id, id) ON u.tenant_id = t.tenant_id "
                        + "AND u.id = t.id WHERE u.user_name <> '' ORDER BY u.created, u.id ON CONFLICT DO NOTHING",
                params);
    }

    private void discardQuietly() {
        try {
            db.inTransaction(conn -> query(conn, "SELECT projection_shadow_discard()"));
        } catch (RuntimeException e) {
            LOG.warn("rebuild: could not drop the shadow tables; the next rebuild replaces them", e);
        }
    }

    private static long count(SqlClient conn, String table) {
        return query(conn, "SELECT count(*) AS n FROM " + table)
                .iterator()
                .next()
                .getLong("n");
    }
}
