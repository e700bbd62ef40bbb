package io.scimledger.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.scimledger.events.RequestOrigin;
import io.scimledger.projection.ResourceRow;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.ScimSchemas;
import io.scimledger.write.ETags;
import io.scimledger.write.GroupWriter;
import io.scimledger.write.UserWriter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Runs a BulkRequest (RFC 7644 section 3.7) through the ordinary write path: every operation is one call of
 * {@link UserWriter} or {@link GroupWriter}, hence its own transaction (the RFC does not make a bulk request
 * atomic), and an operation that fails appends nothing.
 *
 * <p>bulkId references ("bulkId:qwerty" as a path segment or as any string value inside data) are resolved to the
 * id of the resource the operation with that bulkId created. Operations run in dependency order: the first
 * operation (in request order) whose references are all resolved runs next, so forward references work. When no
 * operation can run, the remaining ones reference each other in a cycle (section 3.7.1). A Group POST whose only
 * unresolved references are member values is then created without those members, and the members are added by a
 * follow-up membership PATCH once their operations have run; the response still reports that POST once. A cycle
 * that cannot be broken that way fails with 409 invalidValue, as does a reference to an unknown bulkId or to one
 * whose operation failed (section 3.7.2: "the service provider MUST return HTTP status code 409").
 *
 * <p>failOnErrors stops processing after that many failed operations; operations not run are not listed. The
 * results are listed in request order.
 */
@ApplicationScoped
public class BulkProcessor {

    /** Advertised in /ServiceProviderConfig as bulk.maxOperations. */
    public static final int MAX_OPERATIONS = 1_000;
    /** Advertised in /ServiceProviderConfig as bulk.maxPayloadSize: bytes of the request body. */
    public static final int MAX_PAYLOAD_SIZE = 1_048_576;

    public static final String RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

    private static final Logger LOG = Logger.getLogger(BulkProcessor.class);
    private static final String PREFIX = "bulkId:";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final UserWriter users;
    private final GroupWriter groups;

    public BulkProcessor(UserWriter users, GroupWriter groups) {
        this.users = users;
        this.groups = groups;
    }

    /** @param baseUrl absolute base of the SCIM API, for each result's location */
    public ObjectNode process(RequestOrigin origin, String baseUrl, BulkRequest request) {
        return new Run(origin, baseUrl, request).execute();
    }

    /** The bulkId a string refers to ("bulkId:qwerty" → "qwerty"), or null if it is no bulkId reference. */
    static String referenceOf(String s) {
        if (s == null || s.length() <= PREFIX.length() || !s.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return null;
        }
        return s.substring(PREFIX.length());
    }

    private enum Kind {
        USER("/Users", "User"),
        GROUP("/Groups", "Group");

        final String endpoint;
        final String name;

        Kind(String endpoint, String name) {
            this.endpoint = endpoint;
            this.name = name;
        }
    }

    /** One operation and what is known about it while the request runs. */
    private static final class Step {
        final BulkRequest.Operation op;
        String method;
        Kind kind;
        String rawId; // PUT/PATCH/DELETE: the id as in the path, possibly "bulkId:x"
        ScimException error;
        final Set<String> refs = new LinkedHashSet<>();
        // Set when a cycle was broken at this Group POST: what it is created with, and the members added later.
        ObjectNode strippedData;
        List<ObjectNode> deferredMembers;
        boolean unbreakableCycle;
        String resourceId;

        Step(BulkRequest.Operation op) {
            this.op = op;
        }
    }

    private final class Run {
        final RequestOrigin origin;
        final String baseUrl;
        final BulkRequest request;
        final List<Step> steps = new ArrayList<>();
        final Map<String, Step> definedBy = new HashMap<>();
        final Map<String, String> resolved = new HashMap<>();
        final Set<String> failed = new HashSet<>();
        final ObjectNode[] results;
        final List<Step> awaitingMembers = new ArrayList<>();
        int errors;

        Run(RequestOrigin origin, String baseUrl, BulkRequest request) {
            this.origin = origin;
            this.baseUrl = baseUrl;
            this.request = request;
            this.results = new ObjectNode[request.operations().size()];
            for (BulkRequest.Operation op : request.operations()) {
                Step step = prepare(op);
                steps.add(step);
                if (op.bulkId() != null) {
                    definedBy.put(op.bulkId(), step);
                }
            }
        }

        ObjectNode execute() {
            List<Step> pending = new ArrayList<>(steps);
            while (!pending.isEmpty() && errors < request.failOnErrors()) {
                Step next = pending.stream().filter(this::ready).findFirst().orElse(null);
                if (next == null) {
                    // Every remaining operation waits for another remaining one: a cycle (RFC 7644 section 3.7.1).
                    next = pending.stream()
                            .filter(this::breakCycleAt)
                            .findFirst()
                            .orElse(null);
                    if (next == null) {
                        next = onACycle(pending.get(0));
                        next.unbreakableCycle = true;
                    }
                }
                pending.remove(next);
                run(next);
                addDeferredMembers(false);
            }
            addDeferredMembers(true);
            ObjectNode out = NODES.objectNode();
            out.putArray("schemas").add(RESPONSE_URN);
            ArrayNode ops = out.putArray("Operations");
            for (ObjectNode r : results) {
                if (r != null) {
                    ops.add(r);
                }
            }
            return out;
        }

        private Step prepare(BulkRequest.Operation op) {
            Step step = new Step(op);
            step.error = op.error();
            if (step.error == null) {
                step.method = op.method().toUpperCase(Locale.ROOT);
                if (!Set.of("POST", "PUT", "PATCH", "DELETE").contains(step.method)) {
                    step.method = op.method();
                    step.error = ScimException.invalidSyntax(
                            "unsupported bulk method '" + op.method() + "'; use POST, PUT, PATCH or DELETE");
                }
            }
            if (step.error == null) {
                step.error = parsePath(step);
            }
            if (step.error == null
                    && !step.method.equals("DELETE")
                    && (op.data() == null || !op.data().isObject())) {
                step.error = ScimException.invalidSyntax(step.method + " needs 'data' holding a JSON object");
            }
            if (step.error == null) {
                String pathRef = referenceOf(step.rawId);
                if (pathRef != null) {
                    step.refs.add(pathRef);
                }
                if (op.data() != null) {
                    collectReferences(op.data(), step.refs);
                }
            }
            return step;
        }

        private ScimException parsePath(Step step) {
            String path = step.op.path();
            if (path == null || path.isBlank()) {
                return ScimException.invalidPath("the operation needs a 'path' such as /Users or /Groups/{id}");
            }
            String s = path.replaceAll("^/+", "").replaceAll("/+$", "");
            int slash = s.indexOf('/');
            String endpoint = slash < 0 ? s : s.substring(0, slash);
            String id = slash < 0 ? null : s.substring(slash + 1);
            if ("Users".equalsIgnoreCase(endpoint)) {
                step.kind = Kind.USER;
            } else if ("Groups".equalsIgnoreCase(endpoint)) {
                step.kind = Kind.GROUP;
            } else {
                return ScimException.invalidPath("path '" + path + "' names no endpoint of this server; "
                        + "bulk operations go to /Users or /Groups");
            }
            if (id != null && (id.isBlank() || id.contains("/") || id.contains("?"))) {
                return ScimException.invalidPath("path '" + path + "' is not /Users, /Groups or a resource under them");
            }
            if (step.method.equals("POST") && id != null) {
                return ScimException.invalidPath("POST goes to " + step.kind.endpoint + ", not to a resource");
            }
            if (!step.method.equals("POST") && id == null) {
                return ScimException.invalidPath(
                        step.method + " needs a resource path such as " + step.kind.endpoint + "/{id}");
            }
            step.rawId = id;
            return null;
        }

        /** True if the step can run (or fail) now: nothing it references is still waiting to run. */
        private boolean ready(Step step) {
            return step.error != null || refsOf(step).stream().noneMatch(this::waiting);
        }

        /** Follows waiting references from a step that cannot run until a step repeats: that one is on a cycle. */
        private Step onACycle(Step start) {
            Set<Step> seen = new HashSet<>();
            Step step = start;
            while (seen.add(step)) {
                String ref =
                        refsOf(step).stream().filter(this::waiting).findFirst().orElse(null);
                if (ref == null) {
                    return step;
                }
                step = definedBy.get(ref);
            }
            return step;
        }

        /** A bulkId whose operation is in this request and has not run yet. */
        private boolean waiting(String ref) {
            return definedBy.containsKey(ref) && !resolved.containsKey(ref) && !failed.contains(ref);
        }

        private Set<String> refsOf(Step step) {
            if (step.strippedData == null) {
                return step.refs;
            }
            Set<String> refs = new LinkedHashSet<>();
            collectReferences(step.strippedData, refs);
            return refs;
        }

        /**
         * Breaks a cycle at a Group POST whose only waiting references are member values: it will be created
         * without those members, which are added once their operations have run.
         */
        private boolean breakCycleAt(Step step) {
            if (step.error != null || !"POST".equals(step.method) || step.kind != Kind.GROUP) {
                return false;
            }
            ObjectNode data = step.op.data().deepCopy();
            String key = JsonMembers.nameOf(data, "members");
            if (key == null || !data.get(key).isArray()) {
                return false;
            }
            ArrayNode kept = NODES.arrayNode();
            List<ObjectNode> deferred = new ArrayList<>();
            for (JsonNode member : data.get(key)) {
                JsonNode value = JsonMembers.get(member, "value");
                String ref = value != null && value.isTextual() ? referenceOf(value.asText()) : null;
                if (ref != null && waiting(ref)) {
                    deferred.add((ObjectNode) member);
                } else {
                    kept.add(member);
                }
            }
            if (deferred.isEmpty()) {
                return false;
            }
            if (kept.isEmpty()) {
                data.remove(key);
            } else {
                data.set(key, kept);
            }
            Set<String> rest = new LinkedHashSet<>();
            collectReferences(data, rest);
            if (rest.stream().anyMatch(this::waiting)) {
                return false;
            }
            step.strippedData = data;
            step.deferredMembers = deferred;
            return true;
        }

        private void run(Step step) {
            ObjectNode result = NODES.objectNode();
            results[step.op.index()] = result;
            if (step.method != null) {
                result.put("method", step.method);
            }
            if (step.op.bulkId() != null) {
                result.put("bulkId", step.op.bulkId());
            }
            try {
                if (step.error != null) {
                    throw step.error;
                }
                checkReferences(step);
                UUID id = step.rawId == null ? null : targetId(step);
                if (id != null) {
                    result.put("location", location(step.kind, id.toString()));
                }
                JsonNode data = step.method.equals("DELETE")
                        ? null
                        : substitute(step.strippedData != null ? step.strippedData : step.op.data());
                String ifMatch = step.op.version();
                ResourceRow row = switch (step.method) {
                    case "POST" -> step.kind == Kind.USER ? users.create(origin, data) : groups.create(origin, data);
                    case "PUT" ->
                        step.kind == Kind.USER
                                ? users.replace(origin, id, data, ifMatch)
                                : groups.replace(origin, id, data, ifMatch);
                    case "PATCH" ->
                        step.kind == Kind.USER
                                ? users.patch(origin, id, data, ifMatch)
                                : groups.patch(origin, id, data, ifMatch);
                    default -> {
                        if (step.kind == Kind.USER) {
                            users.delete(origin, id, ifMatch);
                        } else {
                            groups.delete(origin, id, ifMatch);
                        }
                        yield null;
                    }
                };
                step.resourceId = row != null ? row.id().toString() : id.toString();
                result.put("location", location(step.kind, step.resourceId));
                if (row != null) {
                    result.put("version", ETags.of(row.version()));
                }
                result.put(
                        "status",
                        switch (step.method) {
                            case "POST" -> "201";
                            case "DELETE" -> "204";
                            default -> "200";
                        });
                if (step.op.bulkId() != null) {
                    resolved.put(step.op.bulkId(), step.resourceId);
                }
                if (step.deferredMembers != null) {
                    awaitingMembers.add(step);
                }
            } catch (ScimException e) {
                fail(step, result, e);
            } catch (RuntimeException e) {
                LOG.errorf(e, "bulk operation %d failed unexpectedly", step.op.index());
                fail(step, result, new ScimException(500, null, "internal error; the service logged the cause"));
            }
        }

        private void fail(Step step, ObjectNode result, ScimException e) {
            if (step.op.bulkId() != null) {
                failed.add(step.op.bulkId());
            }
            setError(result, e);
            errors++;
        }

        private void checkReferences(Step step) {
            if (step.unbreakableCycle) {
                throw new ScimException(
                        409,
                        "invalidValue",
                        "the bulkId references "
                                + refsOf(step).stream()
                                        .filter(this::waiting)
                                        .map(r -> PREFIX + r)
                                        .toList()
                                + " form a cycle that cannot be resolved");
            }
            for (String ref : refsOf(step)) {
                if (resolved.containsKey(ref)) {
                    continue;
                }
                throw new ScimException(
                        409,
                        "invalidValue",
                        failed.contains(ref)
                                ? "'" + PREFIX + ref + "' refers to an operation that failed"
                                : "no operation in this request has bulkId '" + ref + "'");
            }
        }

        private UUID targetId(Step step) {
            String ref = referenceOf(step.rawId);
            String id = ref == null ? step.rawId : resolved.get(ref);
            try {
                return UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                throw ScimException.notFound(step.kind.name + " " + id + " not found");
            }
        }

        /**
         * The second half of a broken cycle: once every deferred member's operation has run (or, at the end,
         * whatever has run), one membership PATCH adds the members that exist. If some could not be added, the
         * POST's result reports that error, still with the location of the group that was created.
         */
        private void addDeferredMembers(boolean finalPass) {
            for (Iterator<Step> it = awaitingMembers.iterator(); it.hasNext(); ) {
                Step step = it.next();
                List<String> refs = step.deferredMembers.stream()
                        .map(m -> referenceOf(JsonMembers.get(m, "value").asText()))
                        .toList();
                if (!finalPass && refs.stream().anyMatch(this::waiting)) {
                    continue;
                }
                it.remove();
                ObjectNode result = results[step.op.index()];
                try {
                    ArrayNode value = NODES.arrayNode();
                    List<String> missing = new ArrayList<>();
                    for (int i = 0; i < refs.size(); i++) {
                        String id = resolved.get(refs.get(i));
                        if (id == null) {
                            missing.add(PREFIX + refs.get(i));
                            continue;
                        }
                        ObjectNode member = value.addObject().put("value", id);
                        JsonNode type = JsonMembers.get(step.deferredMembers.get(i), "type");
                        if (type != null && type.isTextual()) {
                            member.put("type", type.asText());
                        }
                    }
                    if (!value.isEmpty()) {
                        ObjectNode patch = NODES.objectNode();
                        patch.putArray("schemas").add(ScimSchemas.PATCH_OP_URN);
                        patch.putArray("Operations")
                                .addObject()
                                .put("op", "add")
                                .put("path", "members")
                                .set("value", value);
                        ResourceRow row = groups.patch(origin, UUID.fromString(step.resourceId), patch, null);
                        result.put("version", ETags.of(row.version()));
                    }
                    if (!missing.isEmpty()) {
                        throw new ScimException(
                                409,
                                "invalidValue",
                                "the group was created, but members " + missing
                                        + " were not added: their operations failed or did not run");
                    }
                } catch (ScimException e) {
                    setError(result, e);
                    errors++;
                } catch (RuntimeException e) {
                    LOG.errorf(e, "adding the deferred members of bulk operation %d failed", step.op.index());
                    setError(result, new ScimException(500, null, "internal error; the service logged the cause"));
                    errors++;
                }
            }
        }

        private String location(Kind kind, String id) {
            return baseUrl + kind.endpoint + "/" + id;
        }

        /** A deep copy of data with every resolved "bulkId:x" string replaced by the resource id. */
        private JsonNode substitute(JsonNode node) {
            if (node.isTextual()) {
                String ref = referenceOf(node.asText());
                return ref != null && resolved.containsKey(ref) ? TextNode.valueOf(resolved.get(ref)) : node;
            }
            if (node.isObject()) {
                ObjectNode copy = NODES.objectNode();
                node.fields().forEachRemaining(e -> copy.set(e.getKey(), substitute(e.getValue())));
                return copy;
            }
            if (node.isArray()) {
                ArrayNode copy = NODES.arrayNode();
                node.forEach(e -> copy.add(substitute(e)));
                return copy;
            }
            return node;
        }
    }

    /** RFC 7644 section 3.12 error body, as the response of a failed operation (status a string, as there). */
    private static void setError(ObjectNode result, ScimException e) {
        result.put("status", Integer.toString(e.status()));
        ObjectNode body = NODES.objectNode();
        body.putArray("schemas").add(ScimSchemas.ERROR_URN);
        body.put("status", Integer.toString(e.status()));
        if (e.scimType() != null) {
            body.put("scimType", e.scimType());
        }
        body.put("detail", e.detail() == null ? "" : e.detail());
        result.set("response", body);
    }

    private static void collectReferences(JsonNode node, Set<String> into) {
        if (node.isTextual()) {
            String ref = referenceOf(node.asText());
            if (ref != null) {
                into.add(ref);
            }
        } else if (node.isContainerNode()) {
            node.forEach(child -> collectReferences(child, into));
        }
    }
}
