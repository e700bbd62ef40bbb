package io.scimledger.projection;

import static io.scimledger.db.Database.query;

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

/**
 * The bulk phase of a rebuild: folds the log, as one snapshot sees it, into the rows the {@link Projector} would
 * have left, and writes them to the (empty, unindexed) tables the connection's search_path points at.
 *
 * <p>Why a fold and not a replay: a User or Group event carries the resource's whole {@code state}, so only each
 * stream's last state needs reading, opening and writing once, and memberships fold as adds and removes in memory.
 * Replaying statement by statement through the Projector ran at ~2,500 events/s; the fold writes each final row once,
 * in multi-row statements. It must give exactly the Projector's rows, so every rule below mirrors one of its
 * statements (named in the comments); the rebuild tests compare raw rows, live against rebuilt.
 *
 * <p>Memory: per stream a few fields and the position of its last state, not the state itself; the states are read
 * again by position in a second pass, chunk by chunk.
 */
final class ProjectionFold {

    private static final int READ_BATCH = 10_000;
    private static final int WRITE_CHUNK = 2_000;

    private record Key(String tenant, UUID id) {}

    /** A resource row as the Projector leaves it, with its document left in the log (at statePosition). */
    private static final class Resource {
        final Key key;
        final boolean group;
        boolean exists;
        long version;
        OffsetDateTime created;
        OffsetDateTime lastModified;
        long statePosition;

        Resource(Key key, boolean group) {
            this.key = key;
            this.group = group;
        }
    }

    /** A group_membership row; the display as the log holds it (sealed under the member's key, or in clear). */
    private record Membership(String type, JsonNode display) {}

    /** Runs one write in its own short transaction on the shadow tables. */
    interface ShadowWriter {
        void write(Consumer<SqlClient> work);
    }

    private final SqlClient reader;
    private final EventStore events;
    private final ShadowWriter shadow;
    private final DataKeyStore dataKeys;
    private final Projector projector;
    private final Map<Key, Resource> resources = new HashMap<>();
    private final Map<Key, LinkedHashMap<UUID, Membership>> membersOf = new LinkedHashMap<>();
    private final Map<Key, Set<UUID>> groupsOf = new HashMap<>();
    private long eventCount;
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
     * @param shadow where the rows go, chunk by chunk, each chunk committed on its own (the shadow tables are not
     *     read by anyone until the switch, and a failed rebuild drops them)
     */
    ProjectionFold(
            SqlClient reader, EventStore events, ShadowWriter shadow, DataKeyStore dataKeys, Projector projector) {
        this.reader = reader;
        this.events = events;
        this.shadow = work -> {
            // at most two chunks queued: the database writes one while this thread reads and opens the next
            while (pending.size() >= 2) {
                awaitWrite(pending.removeFirst());
            }
            pending.addLast(writer.submit(() -> {
                long start = System.nanoTime();
                shadow.write(work);
                writeNanos.addAndGet(System.nanoTime() - start);
            }));
        };
        this.dataKeys = dataKeys;
        this.projector = projector;
    }

    record Counts(long events, long users, long groups, long memberships, String timings) {}

    /** Reads the whole log (what the transaction's snapshot sees) and writes the projection rows. */
    Counts run() {
        try {
            return fold();
        } finally {
            writer.shutdownNow();
            fetcher.shutdownNow();
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
        return new Counts(eventCount, written[0], written[1], memberships, timings);
    }

    private void fold(EventHeader h) {
        long position = h.position();
        String tenant = h.tenant();
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
                res.created = at;
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
                        Set<UUID> groups = groupsOf.get(new Key(tenant, m));
                        if (groups != null) {
                            groups.remove(streamId);
                        }
                    }
                }
                removeAsMember(key); // ... OR member_id = the group
            }
            case GroupMembersAdded -> {
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
                            .putIfAbsent(member, new Membership(m.path("type").asText("User"), m.get("display")));
                    groupsOf.computeIfAbsent(memberKey, k -> new HashSet<>()).add(streamId);
                }
                touch(key, version, at);
            }
            case GroupMembersRemoved -> {
                LinkedHashMap<UUID, Membership> members = membersOf.get(key);
                for (JsonNode m : parse(h.payload()).path("members")) {
                    UUID member = UUID.fromString(m.path("value").asText());
                    if (members != null && members.remove(member) != null) {
                        Set<UUID> groups = groupsOf.get(new Key(tenant, member));
                        if (groups != null) {
                            groups.remove(streamId);
                        }
                    }
                }
                touch(key, version, at);
            }
            default -> throw new IllegalStateException("no projection for " + type);
        }
    }

    private static void setState(Resource res, long version, OffsetDateTime at, long position) {
        res.version = version;
        res.lastModified = at;
        res.statePosition = position;
    }

    /** The Projector's touchGroup: version and last_modified move, the document stays. */
    private void touch(Key group, long version, OffsetDateTime at) {
        Resource res = resources.get(group);
        if (res != null && res.exists) {
            res.version = version;
            res.lastModified = at;
        }
    }

    private void removeAsMember(Key member) {
        Set<UUID> groups = groupsOf.remove(member);
        if (groups == null) {
            return;
        }
        for (UUID g : groups) {
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

    /** The chunk's states, opened as the Projector gets them: sealed values in clear, or dropped without a key. */
    private List<ObjectNode> openedStates(List<Resource> chunk, Fetched fetched) {
        long start = System.nanoTime();
        // Parsing and decrypting are pure CPU work per state: spread over the cores (Aead keeps a Cipher per thread).
        ObjectNode[] states = new ObjectNode[chunk.size()];
        IntStream.range(0, states.length).parallel().forEach(i -> {
            ObjectNode state = parse(fetched.texts().get(chunk.get(i).statePosition));
            if (PersonalDataCipher.containsSealed(state)) {
                Optional<DataKey> key =
                        Optional.ofNullable(fetched.keys().get(chunk.get(i).key.id()));
                state = PersonalDataCipher.openObject(state, key);
            }
            states[i] = state;
        });
        openNanos += System.nanoTime() - start;
        return List.of(states);
    }

    private void writeUsers(List<Resource> chunk, Fetched fetched) {
        List<ObjectNode> states = openedStates(chunk, fetched);
        int n = chunk.size();
        String[] tenants = new String[n];
        UUID[] ids = new UUID[n];
        String[] userNames = new String[n];
        String[] externalIds = new String[n];
        Boolean[] actives = new Boolean[n];
        String[] docs = new String[n];
        Long[] versions = new Long[n];
        OffsetDateTime[] created = new OffsetDateTime[n];
        OffsetDateTime[] modified = new OffsetDateTime[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            Resource res = chunk.get(i);
            ObjectNode state = states.get(i);
            tenants[i] = res.key.tenant();
            ids[i] = res.key.id();
            userNames[i] = Projector.userName(state);
            externalIds[i] = Projector.text(state, "externalId");
            actives[i] = Projector.bool(state, "active");
            docs[i] = Projector.document(state);
            versions[i] = res.version;
            created[i] = res.created;
            modified[i] = res.lastModified;
        });
        shadow.write(conn -> query(
                conn,
                "INSERT INTO scim_user (tenant_id, id, user_name, external_id, active, doc, version, created, "
                        + "last_modified) SELECT t, i, u, x, a, d::jsonb, v, c, m FROM unnest($1::text[], $2::uuid[], "
                        + "$3::text[], $4::text[], $5::bool[], $6::text[], $7::int8[], $8::timestamptz[], "
                        + "$9::timestamptz[]) AS r(t, i, u, x, a, d, v, c, m)",
                tenants,
                ids,
                userNames,
                externalIds,
                actives,
                docs,
                versions,
                created,
                modified));
    }

    private void writeGroups(List<Resource> chunk, Fetched fetched) {
        List<ObjectNode> states = openedStates(chunk, fetched);
        int n = chunk.size();
        String[] tenants = new String[n];
        UUID[] ids = new UUID[n];
        String[] displayNames = new String[n];
        String[] externalIds = new String[n];
        String[] docs = new String[n];
        Long[] versions = new Long[n];
        OffsetDateTime[] created = new OffsetDateTime[n];
        OffsetDateTime[] modified = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Resource res = chunk.get(i);
            ObjectNode state = states.get(i);
            tenants[i] = res.key.tenant();
            ids[i] = res.key.id();
            displayNames[i] = state.path("displayName").asText("");
            externalIds[i] = Projector.text(state, "externalId");
            docs[i] = Projector.document(state);
            versions[i] = res.version;
            created[i] = res.created;
            modified[i] = res.lastModified;
        }
        shadow.write(conn -> query(
                conn,
                "INSERT INTO scim_group (tenant_id, id, display_name, external_id, doc, version, created, "
                        + "last_modified) SELECT t, i, n, x, d::jsonb, v, c, m FROM unnest($1::text[], $2::uuid[], "
                        + "$3::text[], $4::text[], $5::text[], $6::int8[], $7::timestamptz[], $8::timestamptz[]) "
                        + "AS r(t, i, n, x, d, v, c, m)",
                tenants,
                ids,
                displayNames,
                externalIds,
                docs,
                versions,
                created,
                modified));
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
        int n = chunk.size();
        String[] tenants = new String[n];
        UUID[] groups = new UUID[n];
        UUID[] members = new UUID[n];
        String[] types = new String[n];
        String[] displays = new String[n];
        for (int i = 0; i < n; i++) {
            MembershipRow row = chunk.get(i);
            tenants[i] = row.group().tenant();
            groups[i] = row.group().id();
            members[i] = row.member();
            types[i] = row.membership().type();
            JsonNode display = row.membership().display();
            if (display != null && PersonalDataCipher.containsSealed(display)) {
                display = PersonalDataCipher.open(display, Optional.ofNullable(keys.get(row.member())));
            }
            // in clear here; a display that stays sealed (erased member) or is not a string is not shown
            displays[i] = display != null && display.isTextual() ? display.asText() : null;
        }
        shadow.write(conn -> query(
                conn,
                "INSERT INTO group_membership (tenant_id, group_id, member_id, member_type, display) "
                        + "SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[])",
                tenants,
                groups,
                members,
                types,
                displays));
        return n;
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
