package io.scimledger.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.EventHeader;
import io.scimledger.events.EventStore;
import io.scimledger.events.EventType;
import io.scimledger.events.JsonSupport;
import io.scimledger.events.StoredEvent;
import io.scimledger.events.StreamType;
import io.scimledger.privacy.DataKey;
import io.scimledger.privacy.DataKeyStore;
import io.scimledger.privacy.PersonalDataCipher;
import io.scimledger.privacy.SealedJsonText;
import io.vertx.mutiny.sqlclient.SqlClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * The bulk phase of a rebuild: folds the log, as one snapshot sees it, into the rows the {@link Projector} would
 * have left, and writes them to the (empty, unindexed) shadow tables: resources and memberships by COPY
 * ({@link ShadowCopy}), tenant events through the Projector on a connection whose search_path points at them.
 *
 * <p>Why a fold and not a replay: a User or Group event carries the resource's whole {@code state}, so only each
 * stream's last state needs reading, opening and writing once, and memberships fold as adds and removes in memory.
 * Replaying statement by statement through the Projector ran at ~2,500 events/s; the fold writes each final row once,
 * a chunk of rows per COPY. It must give exactly the Projector's rows, so every rule below mirrors one of its
 * statements (named in the comments); the rebuild tests compare raw rows, live against rebuilt.
 *
 * <p>Memory: per stream a few fields and the position of its last state, not the state itself; the states are read
 * again by position in a second pass, chunk by chunk.
 */
final class ProjectionFold {

    private static final int READ_BATCH = 10_000;
    private static final int WRITE_CHUNK = 2_000;
    /** A log line every this many events folded: a rebuild of tens of millions of events runs for minutes. */
    private static final int PROGRESS_EVERY = 1_000_000;

    private static final Logger LOG = Logger.getLogger(ProjectionFold.class);

    private record Key(String tenant, UUID id) {}

    /**
     * A resource row as the Projector leaves it, with its document left in the log (at statePosition). Times are
     * kept as microseconds since the epoch (PostgreSQL's precision): an OffsetDateTime is four objects, and half a
     * million resources' worth of them were copied by every young collection until they reached the old generation.
     */
    private static final class Resource {
        final Key key;
        final boolean group;
        boolean exists;
        long version;
        long createdMicros;
        long lastModifiedMicros;
        long statePosition;

        Resource(Key key, boolean group) {
            this.key = key;
            this.group = group;
        }
    }

    /** A group_membership row; the display as the log holds it (sealed under the member's key, or in clear). */
    private record Membership(String type, JsonNode display) {}

    private static final Membership USER = new Membership("User", null);
    private static final Membership GROUP = new Membership("Group", null);

    /** Most members come without a display: one shared row value per type for those. */
    private static Membership membership(String type, JsonNode display) {
        if (display == null) {
            if (type.equals("User")) {
                return USER;
            }
            if (type.equals("Group")) {
                return GROUP;
            }
        }
        return new Membership(type, display);
    }

    /** Runs one write in its own short transaction on the shadow tables. */
    interface ShadowWriter {
        void write(Consumer<SqlClient> work);
    }

    private final SqlClient reader;
    private final ShadowCopy copier;
    private final EventStore events;
    private final ShadowWriter shadow;
    private final DataKeyStore dataKeys;
    private final Projector projector;
    private final Map<Key, Resource> resources = new HashMap<>();
    private final Map<Key, LinkedHashMap<UUID, Membership>> membersOf = new LinkedHashMap<>();
    /** The groups each member is in: one group's id, or a Set of them (most members are in one group). */
    private final Map<Key, Object> groupsOf = new HashMap<>();
    /** One String per tenant name, not one per row read: every Key holds its tenant for the whole fold. */
    private final Map<String, String> tenantNames = new HashMap<>();

    private long eventCount;
    private long namedUsers;
    /** Where the fold's time went, in nanoseconds: reading the log, reading the states, opening them, writing. */
    private long readNanos;

    private final AtomicLong statesNanos = new AtomicLong();
    private long openNanos;
    /** Reading and unwrapping the data keys (on the fetcher thread, like statesNanos). */
    private final AtomicLong keysNanos = new AtomicLong();

    private final AtomicLong writeNanos = new AtomicLong();
    /** One thread writes the chunks in order (tenant events are order-dependent), beside the reading thread. */
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> new Thread(r, "rebuild-writer"));

    private final ArrayDeque<Future<?>> pending = new ArrayDeque<>();
    /** Reads the log's batches, then the second pass's chunks, one ahead of the thread that folds or opens them. */
    private final ExecutorService fetcher = Executors.newSingleThreadExecutor(r -> new Thread(r, "rebuild-reader"));

    /**
     * @param reader a read-only REPEATABLE READ transaction: the snapshot folded. It has no transaction id, so it
     *     does not hold back the relay's fence (docs/decisions/0002-ordering.md) however long the fold takes.
     * @param shadow where the tenant events' rows go, each committed on its own (the shadow tables are not read by
     *     anyone until the switch, and a failed rebuild drops them)
     * @param copier where the resources' and memberships' rows go, chunk by chunk, with COPY
     */
    ProjectionFold(
            SqlClient reader,
            EventStore events,
            ShadowWriter shadow,
            ShadowCopy copier,
            DataKeyStore dataKeys,
            Projector projector) {
        this.reader = reader;
        this.events = events;
        this.shadow = work -> onWriter(() -> shadow.write(work));
        this.copier = copier;
        this.dataKeys = dataKeys;
        this.projector = projector;
    }

    /**
     * Queues a write on the writer thread, in order; at most two queued, so the database writes one chunk while
     * this thread reads and opens the next.
     */
    private void onWriter(Runnable write) {
        while (pending.size() >= 2) {
            awaitWrite(pending.removeFirst());
        }
        pending.addLast(writer.submit(() -> {
            long start = System.nanoTime();
            write.run();
            writeNanos.addAndGet(System.nanoTime() - start);
        }));
    }

    private void copyLater(String table, String columns, ShadowCopy.Rows rows) {
        onWriter(() -> copier.copy(table, columns, rows));
    }

    /** What the fold wrote; {@code namedUsers}: users with a userName, who each claim it unless an earlier has. */
    record Counts(long events, long users, long namedUsers, long groups, long memberships, String timings) {}

    /**
     * Reads the whole log (what the transaction's snapshot sees) and writes the projection rows. Returns, normally
     * or not, only once its threads have stopped: after a failure the rebuild drops the shadow tables and closes
     * the COPY connection, and a write still running then would find them gone (a tenant event's unqualified SQL
     * would even resolve to the live tables once the shadow ones are dropped).
     */
    Counts run() {
        try {
            return fold();
        } finally {
            writer.shutdownNow();
            fetcher.shutdownNow();
            awaitStopped(writer, "rebuild-writer");
            awaitStopped(fetcher, "rebuild-reader");
        }
    }

    /** Waits for a thread that was told to stop; a statement it is in cannot be interrupted, only waited for. */
    private static void awaitStopped(ExecutorService thread, String name) {
        try {
            while (!thread.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.infof("rebuild: waiting for %s to finish its statement", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Counts fold() {
        long start = System.nanoTime();
        // One batch read ahead on the fetcher thread (the reader connection's only user) while this one is folded.
        Future<List<EventHeader>> next = fetcher.submit(() -> events.readHeadersAfter(reader, 0, READ_BATCH));
        while (next != null) {
            List<EventHeader> batch = await(next);
            next = null;
            if (batch.size() == READ_BATCH) {
                long after = batch.get(batch.size() - 1).position();
                next = fetcher.submit(() -> events.readHeadersAfter(reader, after, READ_BATCH));
            }
            for (EventHeader e : batch) {
                fold(e);
            }
            eventCount += batch.size();
            if (eventCount % PROGRESS_EVERY < batch.size()) {
                LOG.infof("rebuild: %d events of the log folded so far", eventCount);
            }
        }
        readNanos = System.nanoTime() - start;
        long[] written = writeResources();
        long memberships = writeMemberships();
        while (!pending.isEmpty()) {
            awaitWrite(pending.removeFirst());
        }
        String timings = String.format(
                "log read %d ms, states read %d ms and keys %d ms ahead, opened %d ms, written %d ms beside",
                readNanos / 1_000_000,
                statesNanos.get() / 1_000_000,
                keysNanos.get() / 1_000_000,
                openNanos / 1_000_000,
                writeNanos.get() / 1_000_000);
        return new Counts(eventCount, written[0], namedUsers, written[1], memberships, timings);
    }

    private void fold(EventHeader h) {
        long position = h.position();
        String tenant = tenantNames.computeIfAbsent(h.tenant(), t -> t);
        StreamType streamType = h.streamType();
        UUID streamId = h.streamId();
        long version = h.version();
        EventType type = h.type();
        OffsetDateTime at = h.occurredAt().withOffsetSameInstant(ZoneOffset.UTC);
        if (streamType == StreamType.Tenant) {
            // A handful per tenant, order-dependent, no personal data: applied as they come, by the one projection.
            StoredEvent e = new StoredEvent(
                    position,
                    null,
                    null,
                    tenant,
                    streamType,
                    streamId,
                    version,
                    type,
                    0,
                    at.toInstant(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
            ObjectNode payload = parse(h.payload());
            shadow.write(conn -> projector.apply(conn, e, payload, Projector.Mode.REBUILD));
            return;
        }
        Key key = new Key(tenant, streamId);
        switch (type) {
            case UserCreated, GroupCreated -> {
                Resource res = resources.get(key);
                if (res != null && res.exists) {
                    // the Projector's INSERT would fail on the primary key; so does the fold
                    throw new IllegalStateException("the log creates " + key + " twice (position " + position + ")");
                }
                res = new Resource(key, type == EventType.GroupCreated);
                res.exists = true;
                res.createdMicros = micros(at);
                setState(res, version, at, position);
                resources.put(key, res);
            }
            case UserReplaced, UserPatched, GroupReplaced, GroupPatched -> {
                Resource res = resources.get(key); // UPDATE ... WHERE id: nothing when the row is absent
                if (res != null && res.exists) {
                    setState(res, version, at, position);
                }
            }
            case UserDeleted, UserErased -> {
                Resource res = resources.get(key);
                if (res != null) {
                    res.exists = false;
                }
                removeAsMember(key); // DELETE FROM group_membership WHERE member_id = the user
            }
            case GroupDeleted -> {
                Resource res = resources.get(key);
                if (res != null) {
                    res.exists = false;
                }
                LinkedHashMap<UUID, Membership> members = membersOf.remove(key); // WHERE group_id = the group
                if (members != null) {
                    for (UUID m : members.keySet()) {
                        left(new Key(tenant, m), streamId);
                    }
                }
                removeAsMember(key); // ... OR member_id = the group
            }
            case GroupMembersAdded -> {
                // kept for the whole fold, half a million times: the ids and keys the resources already hold, not
                // the ones just parsed (old-generation size decides whether G1 starts a concurrent cycle)
                Resource group = resources.get(key);
                UUID groupId = group != null ? group.key.id() : streamId;
                for (JsonNode m : parse(h.payload()).path("members")) {
                    UUID member = UUID.fromString(m.path("value").asText());
                    Key memberKey = new Key(tenant, member);
                    Resource target = resources.get(memberKey);
                    // only members that exist at this point of the log (EXISTS in scim_user or scim_group)
                    if (target == null || !target.exists) {
                        continue;
                    }
                    // ON CONFLICT DO NOTHING: the first add's type and display stay
                    membersOf
                            .computeIfAbsent(key, k -> new LinkedHashMap<>())
                            .putIfAbsent(target.key.id(), membership(memberType(m), m.get("display")));
                    joined(target.key, groupId);
                }
                touch(key, version, at);
            }
            case GroupMembersRemoved -> {
                LinkedHashMap<UUID, Membership> members = membersOf.get(key);
                for (JsonNode m : parse(h.payload()).path("members")) {
                    UUID member = UUID.fromString(m.path("value").asText());
                    if (members != null && members.remove(member) != null) {
                        left(new Key(tenant, member), streamId);
                    }
                }
                touch(key, version, at);
            }
            default -> throw new IllegalStateException("no projection for " + type);
        }
    }

    private static void setState(Resource res, long version, OffsetDateTime at, long position) {
        res.version = version;
        res.lastModifiedMicros = micros(at);
        res.statePosition = position;
    }

    private static long micros(OffsetDateTime t) {
        return t.toEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }

    /** The member's type as the add gave it ("User" if none), one String per type for all memberships. */
    private static String memberType(JsonNode member) {
        String type = member.path("type").asText("User");
        return switch (type) {
            case "User" -> "User";
            case "Group" -> "Group";
            default -> type;
        };
    }

    private void joined(Key member, UUID group) {
        groupsOf.merge(member, group, (had, added) -> {
            if (had instanceof Set<?>) {
                groupSet(had).add(group);
                return had;
            }
            if (had.equals(group)) {
                return had;
            }
            Set<UUID> both = new HashSet<>(4);
            both.add((UUID) had);
            both.add(group);
            return both;
        });
    }

    private void left(Key member, UUID group) {
        Object had = groupsOf.get(member);
        if (had instanceof Set<?>) {
            groupSet(had).remove(group);
        } else if (group.equals(had)) {
            groupsOf.remove(member);
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<UUID> groupSet(Object groups) {
        return (Set<UUID>) groups;
    }

    /** The Projector's touchGroup: version and last_modified move, the document stays. */
    private void touch(Key group, long version, OffsetDateTime at) {
        Resource res = resources.get(group);
        if (res != null && res.exists) {
            res.version = version;
            res.lastModifiedMicros = micros(at);
        }
    }

    private void removeAsMember(Key member) {
        Object groups = groupsOf.remove(member);
        if (groups == null) {
            return;
        }
        for (UUID g : groups instanceof UUID one ? Set.of(one) : groupSet(groups)) {
            LinkedHashMap<UUID, Membership> members = membersOf.get(new Key(member.tenant(), g));
            if (members != null) {
                members.remove(member.id());
            }
        }
    }

    /** Second pass: each existing resource's last state, read by position, opened, written in chunks. */
    private long[] writeResources() {
        List<Resource> users = new ArrayList<>();
        List<Resource> groups = new ArrayList<>();
        for (Resource res : resources.values()) {
            if (res.exists) {
                (res.group ? groups : users).add(res);
            }
        }
        // by position: the states are read in log order, which is the table's physical order
        LOG.infof(
                "rebuild: the log is folded (%d events); writing %d users, %d groups and their memberships",
                eventCount, users.size(), groups.size());
        users.sort((a, b) -> Long.compare(a.statePosition, b.statePosition));
        groups.sort((a, b) -> Long.compare(a.statePosition, b.statePosition));
        List<List<Resource>> chunks = new ArrayList<>();
        for (int i = 0; i < users.size(); i += WRITE_CHUNK) {
            chunks.add(users.subList(i, Math.min(users.size(), i + WRITE_CHUNK)));
        }
        int userChunks = chunks.size();
        for (int i = 0; i < groups.size(); i += WRITE_CHUNK) {
            chunks.add(groups.subList(i, Math.min(groups.size(), i + WRITE_CHUNK)));
        }
        // One chunk read ahead: the next chunk's states and keys come from the database while this one is opened.
        Future<Fetched> next = chunks.isEmpty() ? null : fetcher.submit(() -> fetch(chunks.get(0)));
        for (int c = 0; c < chunks.size(); c++) {
            Fetched fetched = await(next);
            List<Resource> chunk = chunks.get(c);
            if (c + 1 < chunks.size()) {
                List<Resource> following = chunks.get(c + 1);
                next = fetcher.submit(() -> fetch(following));
            }
            if (c < userChunks) {
                writeUsers(chunk, fetched);
            } else {
                writeGroups(chunk, fetched);
            }
        }
        return new long[] {users.size(), groups.size()};
    }

    /** A chunk's states as JSON text by position, and the data keys of its resources (absent: none or destroyed). */
    private record Fetched(Map<Long, String> texts, Map<UUID, DataKey> keys) {}

    /** Runs on the fetcher thread, the only user of the reader connection during the second pass. */
    private Fetched fetch(List<Resource> chunk) {
        Long[] positions = new Long[chunk.size()];
        List<UUID> ids = new ArrayList<>(chunk.size());
        for (int i = 0; i < positions.length; i++) {
            positions[i] = chunk.get(i).statePosition;
            ids.add(chunk.get(i).key.id());
        }
        long start = System.nanoTime();
        Map<Long, String> texts = events.readStates(reader, positions);
        long read = System.nanoTime();
        statesNanos.addAndGet(read - start);
        // every resource's key, whether or not its state turns out to hold sealed values: asking before parsing is
        // what lets this run ahead; a key not needed is unwrapped for nothing, and is only looked at when needed
        Map<UUID, DataKey> keys = dataKeys.findAll(reader, ids);
        keysNanos.addAndGet(System.nanoTime() - read);
        return new Fetched(texts, keys);
    }

    /** The top-level members the projection rows take from a User's state (see {@link Projector}). */
    private static final Set<String> USER_COLUMNS = Set.of("userName", "externalId", "active");
    /** ... and from a Group's. */
    private static final Set<String> GROUP_COLUMNS = Set.of("displayName", "externalId");

    /**
     * The chunk's states, opened as the Projector gets them (sealed values in clear, or dropped without a key): the
     * document's JSON text and the members its columns take. Streamed text to text ({@link SealedJsonText}); a
     * state of a shape the stream leaves to the tree is parsed and opened as a tree.
     */
    private SealedJsonText.Opened[] openedStates(List<Resource> chunk, Fetched fetched, Set<String> columns) {
        long start = System.nanoTime();
        // Pure CPU work per state: spread over the cores (Aead keeps a Cipher per thread).
        SealedJsonText.Opened[] states = new SealedJsonText.Opened[chunk.size()];
        IntStream.range(0, states.length).parallel().forEach(i -> {
            Resource res = chunk.get(i);
            String text = fetched.texts().get(res.statePosition);
            Optional<DataKey> key = Optional.ofNullable(fetched.keys().get(res.key.id()));
            SealedJsonText.Opened opened = SealedJsonText.open(text, key, columns);
            if (opened == null) {
                ObjectNode state = parse(text);
                if (PersonalDataCipher.containsSealed(state)) {
                    state = PersonalDataCipher.openObject(state, key);
                }
                opened = new SealedJsonText.Opened(Projector.document(state), state);
            }
            states[i] = opened;
        });
        openNanos += System.nanoTime() - start;
        return states;
    }

    private void writeUsers(List<Resource> chunk, Fetched fetched) {
        SealedJsonText.Opened[] states = openedStates(chunk, fetched, USER_COLUMNS);
        ShadowCopy.Rows rows = new ShadowCopy.Rows(chunk.size(), 512);
        for (int i = 0; i < chunk.size(); i++) {
            Resource res = chunk.get(i);
            ObjectNode columns = states[i].fields();
            String userName = Projector.userName(columns);
            if (!userName.isEmpty()) {
                namedUsers++;
            }
            rows.text(res.key.tenant())
                    .uuid(res.key.id())
                    .text(userName)
                    .text(Projector.text(columns, "externalId"))
                    .bool(Projector.bool(columns, "active"))
                    .text(states[i].json())
                    .number(res.version)
                    .time(res.createdMicros)
                    .time(res.lastModifiedMicros)
                    .endRow();
        }
        copyLater(
                "scim_user",
                "tenant_id, id, user_name, external_id, active, doc, version, created, last_modified",
                rows);
    }

    private void writeGroups(List<Resource> chunk, Fetched fetched) {
        SealedJsonText.Opened[] states = openedStates(chunk, fetched, GROUP_COLUMNS);
        ShadowCopy.Rows rows = new ShadowCopy.Rows(chunk.size(), 256);
        for (int i = 0; i < chunk.size(); i++) {
            Resource res = chunk.get(i);
            ObjectNode columns = states[i].fields();
            rows.text(res.key.tenant())
                    .uuid(res.key.id())
                    .text(columns.path("displayName").asText(""))
                    .text(Projector.text(columns, "externalId"))
                    .text(states[i].json())
                    .number(res.version)
                    .time(res.createdMicros)
                    .time(res.lastModifiedMicros)
                    .endRow();
        }
        copyLater("scim_group", "tenant_id, id, display_name, external_id, doc, version, created, last_modified", rows);
    }

    private record MembershipRow(Key group, UUID member, Membership membership) {}

    private long writeMemberships() {
        List<MembershipRow> chunk = new ArrayList<>(WRITE_CHUNK);
        long written = 0;
        for (Map.Entry<Key, LinkedHashMap<UUID, Membership>> g : membersOf.entrySet()) {
            for (Map.Entry<UUID, Membership> m : g.getValue().entrySet()) {
                chunk.add(new MembershipRow(g.getKey(), m.getKey(), m.getValue()));
                if (chunk.size() == WRITE_CHUNK) {
                    written += writeMemberships(chunk);
                    chunk.clear();
                }
            }
        }
        return written + writeMemberships(chunk);
    }

    private int writeMemberships(List<MembershipRow> chunk) {
        if (chunk.isEmpty()) {
            return 0;
        }
        // members' displays are sealed under each member's key, not the group's (privacy.MemberDisplays)
        Set<UUID> sealedFor = new HashSet<>();
        for (MembershipRow row : chunk) {
            JsonNode display = row.membership().display();
            if (display != null && PersonalDataCipher.containsSealed(display)) {
                sealedFor.add(row.member());
            }
        }
        Map<UUID, DataKey> keys = sealedFor.isEmpty() ? Map.of() : dataKeys.findAll(reader, sealedFor);
        ShadowCopy.Rows rows = new ShadowCopy.Rows(chunk.size(), 128);
        for (MembershipRow row : chunk) {
            JsonNode display = row.membership().display();
            if (display != null && PersonalDataCipher.containsSealed(display)) {
                display = PersonalDataCipher.open(display, Optional.ofNullable(keys.get(row.member())));
            }
            rows.text(row.group().tenant())
                    .uuid(row.group().id())
                    .uuid(row.member())
                    .text(row.membership().type())
                    // in clear here; a display that stays sealed (erased member) or is not a string is not shown
                    .text(display != null && display.isTextual() ? display.asText() : null)
                    .endRow();
        }
        copyLater("group_membership", "tenant_id, group_id, member_id, member_type, display", rows);
        return rows.count();
    }

    private static void awaitWrite(Future<?> write) {
        await(write);
    }

    private static <T> T await(Future<T> work) {
        try {
            return work.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while folding into the shadow tables", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JsonSupport.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("an event payload that is not JSON", e);
        }
    }
}
