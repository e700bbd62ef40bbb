package io.scimledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.db.Database;
import io.scimledger.events.EventLogReader;
import io.scimledger.events.EventLogReader.StreamSummary;
import io.scimledger.events.StreamType;
import io.scimledger.privacy.DataKey;
import io.scimledger.privacy.DataKeyStore;
import io.scimledger.privacy.PersonalDataCipher;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Finds users and groups in a tenant's event log, including deleted and erased ones, which SCIM search (answered
 * from the current state) cannot find. A resource is described by its last recorded state.
 *
 * <p>Why a scan: personal values (a user's {@code userName}, {@code displayName}) are sealed in the log under a
 * key per person, so no index or SQL predicate can match them. The finder reads the tenant's streams in batches of
 * {@link #BATCH}, opens each user's last state with that user's key (keys fetched per batch in one query), and
 * matches in memory: at most {@link #MAX_SCANNED} streams per call; the answer then says where to continue. An
 * erased person's values cannot be opened any more: they are found by id or {@code externalId} (not personal) only,
 * and shown without personal data. Groups hold no personal data.
 */
@ApplicationScoped
public class ResourceFinder {

    static final int BATCH = 500;
    public static final int MAX_SCANNED = 20_000;
    public static final int MAX_RESULTS = 50;
    public static final int MAX_IDS = 200;

    private final Database db;
    private final EventLogReader log;
    private final DataKeyStore dataKeys;

    public ResourceFinder(Database db, EventLogReader log, DataKeyStore dataKeys) {
        this.db = db;
        this.log = log;
        this.dataKeys = dataKeys;
    }

    /** Where a search stopped: the last stream scanned, to continue from. */
    public record Cursor(StreamType type, UUID id) {
        public String token() {
            return type.name() + ":" + id;
        }

        /** Parses {@link #token()}; null for a malformed token. */
        public static Cursor parse(String token) {
            int colon = token.indexOf(':');
            if (colon < 0) {
                return null;
            }
            try {
                return new Cursor(
                        StreamType.valueOf(token.substring(0, colon)), UUID.fromString(token.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** Matches found, and the cursor to continue from when the scan stopped before the end of the log. */
    public record Result(List<ObjectNode> matches, int scanned, Cursor continueFrom) {}

    /**
     * Resources whose id equals {@code text}, or whose userName, displayName or externalId contains it (case
     * insensitive), of {@code type} (null: both), scanning after {@code from} (null: from the start).
     */
    public Result search(String tenant, String text, StreamType type, Cursor from) {
        String needle = text.trim().toLowerCase(Locale.ROOT);
        UUID exact = uuidOrNull(needle);
        if (exact != null) {
            return new Result(
                    describe(tenant, Set.of(exact)).stream()
                            .filter(m -> type == null
                                    || type.name().equals(m.path("resourceType").asText()))
                            .collect(Collectors.toList()),
                    1,
                    null);
        }
        return db.withConnection(conn -> {
            List<ObjectNode> matches = new ArrayList<>();
            String afterType = from == null ? "" : from.type().name();
            UUID afterId = from == null ? new UUID(0, 0) : from.id();
            int scanned = 0;
            while (true) {
                List<StreamSummary> batch = log.streamSummaries(conn, tenant, type, afterType, afterId, BATCH);
                Map<UUID, DataKey> keys = dataKeys.findAll(
                        conn,
                        batch.stream()
                                .filter(s -> s.type() == StreamType.User)
                                .map(StreamSummary::id)
                                .toList());
                for (StreamSummary s : batch) {
                    scanned++;
                    afterType = s.type().name();
                    afterId = s.id();
                    ObjectNode described = describe(s, keys.get(s.id()));
                    if (matches(described, needle)) {
                        matches.add(described);
                    }
                    if (matches.size() == MAX_RESULTS || scanned == MAX_SCANNED) {
                        boolean more = s != batch.get(batch.size() - 1) || batch.size() == BATCH;
                        return new Result(matches, scanned, more ? new Cursor(s.type(), s.id()) : null);
                    }
                }
                if (batch.size() < BATCH) {
                    return new Result(matches, scanned, null);
                }
            }
        });
    }

    /** The tenant's resources among {@code ids}, described (unknown ids and other tenants' are absent). */
    public List<ObjectNode> describe(String tenant, Set<UUID> ids) {
        return db.withConnection(conn -> {
            List<StreamSummary> found = log.streamSummaries(conn, tenant, new LinkedHashSet<>(ids));
            Map<UUID, DataKey> keys = dataKeys.findAll(
                    conn,
                    found.stream()
                            .filter(s -> s.type() == StreamType.User)
                            .map(StreamSummary::id)
                            .toList());
            return found.stream().map(s -> describe(s, keys.get(s.id()))).collect(Collectors.toList());
        });
    }

    private static boolean matches(ObjectNode described, String needle) {
        for (String field : List.of("userName", "displayName", "externalId")) {
            String value = described.path(field).asText("");
            if (!value.isEmpty() && value.toLowerCase(Locale.ROOT).contains(needle)) {
                return true;
            }
        }
        return false;
    }

    static ObjectNode describe(StreamSummary s, DataKey key) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("resourceType", s.type().name());
        n.put("id", s.id().toString());
        JsonNode state = s.lastState();
        if (state != null && PersonalDataCipher.containsSealed(state)) {
            state = PersonalDataCipher.open(state, Optional.ofNullable(key));
        }
        if (state != null) {
            for (String field : List.of("userName", "displayName", "externalId")) {
                if (state.path(field).isTextual()) {
                    n.put(field, state.get(field).asText());
                }
            }
            if (state.path("active").isBoolean()) {
                n.put("active", state.get("active").asBoolean());
            }
        }
        n.put("version", s.version());
        n.put("lastEventAt", s.lastEventAt().toString());
        n.put("deleted", s.deletedAt() != null);
        if (s.deletedAt() != null) {
            n.put("deletedAt", s.deletedAt().toString());
        }
        if (s.type() == StreamType.User) {
            n.put("erased", s.erased());
            n.put("personalDataReadable", key != null);
        }
        return n;
    }

    private static UUID uuidOrNull(String text) {
        if (text.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
