package io.scimledger.scim.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.filter.CompareOp;
import io.scimledger.scim.filter.Filter;
import io.scimledger.scim.filter.FilterEvaluator;
import io.scimledger.scim.filter.FilterParser;
import io.scimledger.scim.filter.PatchPath;
import io.scimledger.scim.resource.AttributeValues;
import io.scimledger.scim.resource.ChangedAttributes;
import io.scimledger.scim.resource.ResourceNormalizer;
import io.scimledger.scim.resource.ResourceNormalizer.MemberRef;
import io.scimledger.scim.resource.ResourceNormalizer.NormalizedResource;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.Mutability;
import io.scimledger.scim.schema.ResolvedAttribute;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.SchemaDefinition;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies a SCIM PATCH request (RFC 7644 section 3.5.2) to a resource in stored form, atomically: the first
 * failing operation throws and nothing is returned; {@code current} is never modified.
 *
 * <p>Tolerates the shapes real clients send (docs/compatibility.md names the client and public source of each):
 * capitalised ops, no-path values whose keys are paths, string booleans, bare manager ids, stringified roles, single
 * objects for multi-valued attributes, value-path replaces that must create the element, read-only keys inside
 * no-path values. Group {@code members} are never materialised: operations on them become {@link MemberOperation}s.
 * The result is re-validated by {@link ResourceNormalizer}, so PATCH and POST/PUT enforce the same rules.
 */
public final class PatchEngine {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PatchEngine() {}

    /**
     * @param resource           the new stored form
     * @param memberOperations   Group only: membership changes in request order
     * @param passwordSupplied   true when an operation set the password (never stored)
     * @param changedAttributes  what changed, as {@link ChangedAttributes} words it (never Group members: see
     *                           memberOperations)
     * @param operations         the Operations as the log may record them (see {@link OperationRecord})
     */
    public record PatchResult(
            ObjectNode resource,
            List<MemberOperation> memberOperations,
            boolean passwordSupplied,
            List<String> changedAttributes,
            OperationRecord operations) {}

    public record MemberOperation(Kind kind, List<MemberRef> members) {
        public enum Kind {
            ADD,
            REMOVE,
            REMOVE_ALL,
            REPLACE_ALL
        }
    }

    private enum Op {
        ADD,
        REPLACE,
        REMOVE
    }

    public static PatchResult apply(ResourceTypeDefinition type, ObjectNode current, JsonNode patchRequest) {
        ArrayNode ops = operations(patchRequest);
        Run run = new Run(type, current.deepCopy());
        for (int i = 0; i < ops.size(); i++) {
            try {
                run.apply(ops.get(i));
            } catch (ScimException e) {
                throw new ScimException(e.status(), e.scimType(), "Operations[" + i + "]: " + e.detail());
            }
        }
        NormalizedResource normalized = ResourceNormalizer.normalize(type, run.work);
        List<String> changed = ChangedAttributes.between(type, current, normalized.resource(), run.passwordSupplied);
        return new PatchResult(
                normalized.resource(),
                List.copyOf(run.memberOps),
                run.passwordSupplied,
                List.copyOf(changed),
                new OperationRecord(type, ops));
    }

    /**
     * Validates what a PATCH request says without the resource it targets: the envelope, op names, that every path
     * resolves against the schema, mutability, and that every value has the type its attribute declares. The
     * writers call it before they look the resource up, so a malformed request to an unknown id is a 400, not a 404
     * (syntax before existence). It runs the engine itself on an empty resource, so it can never accept less or more
     * than {@link #apply}; only what depends on the resource's content ({@code noTarget}, required attributes) is
     * left to {@link #apply}.
     */
    public static void validate(ResourceTypeDefinition type, JsonNode patchRequest) {
        ArrayNode ops = operations(patchRequest);
        Run run = new Run(type, NODES.objectNode());
        for (int i = 0; i < ops.size(); i++) {
            try {
                run.apply(ops.get(i));
            } catch (ScimException e) {
                if ("noTarget".equals(e.scimType()) && e.status() == 400 && !isMissingRemovePath(ops.get(i))) {
                    continue; // a filter that matches nothing in an empty resource says nothing about the request
                }
                throw new ScimException(e.status(), e.scimType(), "Operations[" + i + "]: " + e.detail());
            }
        }
    }

    /** The one noTarget that is about the request itself: a remove without a path. */
    private static boolean isMissingRemovePath(JsonNode operation) {
        JsonNode op = JsonMembers.get(operation, "op");
        JsonNode path = JsonMembers.get(operation, "path");
        return op != null
                && op.isTextual()
                && op.asText().trim().equalsIgnoreCase("remove")
                && (path == null
                        || path.isNull()
                        || (path.isTextual() && path.asText().isBlank()));
    }

    /** The envelope of a PATCH request (RFC 7644 section 3.5.2): the PatchOp schema and a non-empty Operations. */
    private static ArrayNode operations(JsonNode patchRequest) {
        if (patchRequest == null || !patchRequest.isObject()) {
            throw ScimException.invalidSyntax("the PATCH body must be a JSON object");
        }
        JsonNode schemas = JsonMembers.get(patchRequest, "schemas");
        boolean patchOp = false;
        if (schemas != null) {
            for (JsonNode s : schemas.isArray() ? schemas : NODES.arrayNode().add(schemas)) {
                patchOp |= s.isTextual() && s.asText().trim().equalsIgnoreCase(ScimSchemas.PATCH_OP_URN);
            }
        }
        if (!patchOp) {
            throw ScimException.invalidSyntax("'schemas' must contain " + ScimSchemas.PATCH_OP_URN);
        }
        JsonNode ops = JsonMembers.get(patchRequest, "Operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw ScimException.invalidValue("'Operations' must be a non-empty array");
        }
        return (ArrayNode) ops;
    }

    /** What an operation's path or a no-path value's key names: an attribute, maybe a sub-attribute and a filter. */
    record Target(ResolvedAttribute attribute, AttributeDefinition sub, Filter filter) {}

    /**
     * Resolves the (trimmed, non-empty) path of an operation that does not name a whole schema. The one place a PATCH
     * path is resolved: the engine applies what this returns and {@link OperationRecord} decides from it what the log
     * may keep in clear, so the two can never disagree about which attribute an operation changes.
     */
    static Target resolvePath(ResourceTypeDefinition type, String path) {
        PatchPath pp = FilterParser.parsePatchPath(path);
        AttributePath ap = pp.attribute();
        if (ap == null || ap.attribute() == null) {
            throw ScimException.invalidPath("invalid path '" + path + "'");
        }
        ResolvedAttribute r = type.resolve(new AttributePath(ap.schemaUrn(), ap.attribute(), null));
        String subName = ap.subAttribute() != null ? ap.subAttribute() : pp.subAttribute();
        if (ap.subAttribute() != null && pp.subAttribute() != null) {
            throw ScimException.invalidPath("invalid path '" + path + "'");
        }
        AttributeDefinition sub = null;
        if (subName != null) {
            sub = r.attribute()
                    .subAttribute(subName)
                    .orElseThrow(() -> ScimException.invalidPath("unknown attribute '" + path + "'"));
        }
        return new Target(r, sub, pp.valueFilter());
    }

    /**
     * Resolves a key of a no-path add/replace value (a path relative to {@code scope}, the extension the value
     * belongs to, or to the resource when null); empty when the engine ignores the key (unknown, read-only, not a
     * path, a value filter on a single-valued attribute).
     */
    static Optional<Target> resolveValueKey(ResourceTypeDefinition type, SchemaDefinition scope, String rawKey) {
        String key = rawKey.trim();
        PatchPath pp;
        try {
            pp = key.indexOf('[') >= 0
                    ? FilterParser.parsePatchPath(key)
                    : new PatchPath(AttributePath.parse(key), null, null);
        } catch (ScimException ex) {
            return Optional.empty();
        }
        AttributePath ap = pp.attribute();
        if (ap == null || ap.attribute() == null || (scope != null && ap.schemaUrn() != null)) {
            return Optional.empty();
        }
        if (scope != null) {
            ap = new AttributePath(scope.id(), ap.attribute(), ap.subAttribute());
        }
        Optional<ResolvedAttribute> r = type.find(new AttributePath(ap.schemaUrn(), ap.attribute(), null));
        if (r.isEmpty()) {
            return Optional.empty();
        }
        String subName = ap.subAttribute() != null ? ap.subAttribute() : pp.subAttribute();
        AttributeDefinition sub = null;
        if (subName != null) {
            sub = r.get().attribute().subAttribute(subName).orElse(null);
            if (sub == null) {
                return Optional.empty();
            }
        }
        if (r.get().attribute().mutability() == Mutability.READ_ONLY
                || (sub != null && sub.mutability() == Mutability.READ_ONLY)) {
            return Optional.empty(); // Okta sends {"id": ..., "displayName": ...}
        }
        if (pp.valueFilter() != null && !r.get().attribute().multiValued()) {
            return Optional.empty();
        }
        return Optional.of(new Target(r.get(), sub, pp.valueFilter()));
    }

    /** One request being applied to a private copy. */
    private static final class Run {
        private final ResourceTypeDefinition type;
        private final ObjectNode work;
        private final List<MemberOperation> memberOps = new ArrayList<>();
        private boolean passwordSupplied;

        Run(ResourceTypeDefinition type, ObjectNode work) {
            this.type = type;
            this.work = work;
        }

        void apply(JsonNode operation) {
            if (operation == null || !operation.isObject()) {
                throw ScimException.invalidSyntax("each operation must be a JSON object");
            }
            JsonNode opNode = JsonMembers.get(operation, "op");
            if (opNode == null || !opNode.isTextual()) {
                throw ScimException.invalidSyntax("operation without 'op'");
            }
            Op op = switch (opNode.asText().trim().toLowerCase(Locale.ROOT)) {
                case "add" -> Op.ADD;
                case "replace" -> Op.REPLACE;
                case "remove" -> Op.REMOVE;
                default -> throw ScimException.invalidSyntax("unsupported op '" + opNode.asText() + "'");
            };
            JsonNode pathNode = JsonMembers.get(operation, "path");
            JsonNode value = JsonMembers.get(operation, "value");
            String path = null;
            if (pathNode != null && !pathNode.isNull()) {
                if (!pathNode.isTextual()) {
                    throw ScimException.invalidPath("'path' must be a string");
                }
                path = pathNode.asText().trim();
                if (path.isEmpty()) {
                    path = null;
                }
            }
            if (op == Op.REMOVE
                    && value != null
                    && value.isTextual()
                    && value.asText().isEmpty()) {
                // some clients send {"op":"remove","path":"members","value":""}: a remove of the path
                value = null;
            }
            if (op != Op.REMOVE && (value == null || value.isMissingNode())) {
                throw ScimException.invalidValue("'" + op.name().toLowerCase(Locale.ROOT) + "' requires a value");
            }
            if (path == null) {
                if (op == Op.REMOVE) {
                    throw ScimException.noTarget("'remove' requires a path");
                }
                applyValueObject(op, null, value);
                return;
            }
            if (type.knowsSchema(path)) {
                // the path names a whole schema, e.g. the enterprise extension
                SchemaDefinition schema = type.extension(path).orElse(type.schema());
                if (op == Op.REMOVE) {
                    if (schema == type.schema()) {
                        throw ScimException.invalidPath("cannot remove the core schema");
                    }
                    removeField(work, schema.id());
                    return;
                }
                applyValueObject(op, schema == type.schema() ? null : schema, value);
                return;
            }
            Target t = resolvePath(type, path);
            if (t.filter() != null && !t.attribute().attribute().multiValued()) {
                throw ScimException.invalidPath("a value filter needs a multi-valued attribute: '" + path + "'");
            }
            applyTarget(op, t.attribute(), t.sub(), t.filter(), value, true);
        }

        /** No-path add/replace: keys are attribute names or paths; unknown and read-only keys are ignored. */
        private void applyValueObject(Op op, SchemaDefinition scope, JsonNode value) {
            if (AttributeValues.isAbsent(value) && value != null && value.isObject()) {
                return;
            }
            if (value == null || !value.isObject()) {
                throw ScimException.invalidValue(
                        "'" + op.name().toLowerCase(Locale.ROOT) + "' without a path needs an object value");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey().trim();
                JsonNode v = e.getValue();
                if (scope == null) {
                    if (key.equalsIgnoreCase("schemas")) {
                        continue;
                    }
                    if (type.knowsSchema(key)) {
                        SchemaDefinition s = type.extension(key).orElse(null);
                        if (!AttributeValues.isAbsent(v)) {
                            applyValueObject(op, s, v);
                        }
                        continue;
                    }
                }
                Optional<Target> t = resolveValueKey(type, scope, key);
                if (t.isEmpty()) {
                    continue; // unknown, read-only or not a path: ignored, as RFC 7644 section 3.5.2 allows
                }
                applyTarget(op, t.get().attribute(), t.get().sub(), t.get().filter(), v, false);
            }
        }

        private void applyTarget(
                Op op,
                ResolvedAttribute r,
                AttributeDefinition sub,
                Filter filter,
                JsonNode value,
                boolean explicitPath) {
            AttributeDefinition attr = r.attribute();
            String path = r.extension() ? r.schema().id() + ":" + attr.name() : attr.name();
            if (ResourceNormalizer.isPassword(type, r)) {
                // never stored, but typed like any attribute: a password that is not a string is invalidValue
                if (op != Op.REMOVE && AttributeValues.coerce(attr, value, path, null) != null) {
                    passwordSupplied = true;
                }
                return;
            }
            if (attr.mutability() == Mutability.READ_ONLY) {
                throw ScimException.mutability("attribute '" + path + "' is readOnly");
            }
            if (ResourceNormalizer.isGroupMembers(type, r)) {
                memberOperation(op, sub, filter, value);
                return;
            }
            if (sub != null && sub.mutability() == Mutability.READ_ONLY) {
                throw ScimException.mutability("attribute '" + path + "." + sub.name() + "' is readOnly");
            }
            if (op == Op.REMOVE && attr.required() && sub == null && filter == null) {
                throw ScimException.mutability("attribute '" + path + "' is required and cannot be removed");
            }
            ObjectNode container = container(r, op != Op.REMOVE);
            if (container == null) {
                if (filter != null) {
                    throw ScimException.noTarget("no value of '" + path + "' matches the filter");
                }
                return; // removing from an extension that has no data
            }
            JsonNode before = container.get(attr.name());
            before = before == null ? null : before.deepCopy();
            if (filter != null) {
                applyFiltered(op, attr, sub, filter, value, container, path);
            } else if (sub != null) {
                applySub(op, attr, sub, value, container, path);
            } else {
                applyWhole(op, attr, value, container, path);
            }
            JsonNode after = container.get(attr.name());
            if (attr.mutability() == Mutability.IMMUTABLE
                    && !AttributeValues.isAbsent(before)
                    && !AttributeValues.sameValue(attr, before, after)) {
                throw ScimException.mutability("attribute '" + path + "' is immutable");
            }
            if (after != null && AttributeValues.isAbsent(after)) {
                container.remove(attr.name());
            }
        }

        private ObjectNode container(ResolvedAttribute r, boolean create) {
            if (!r.extension()) {
                return work;
            }
            String urn = r.schema().id();
            String existingKey = JsonMembers.nameOf(work, urn);
            JsonNode c = existingKey == null ? null : work.get(existingKey);
            if (c != null && c.isObject()) {
                if (!existingKey.equals(urn)) {
                    work.remove(existingKey);
                    work.set(urn, c);
                }
                return (ObjectNode) c;
            }
            if (!create) {
                return null;
            }
            return work.putObject(urn);
        }

        private void applyWhole(Op op, AttributeDefinition attr, JsonNode value, ObjectNode container, String path) {
            String name = attr.name();
            if (op == Op.REMOVE) {
                if (attr.multiValued() && !AttributeValues.isAbsent(value)) {
                    // Entra-style remove of the listed values only
                    JsonNode toRemove = AttributeValues.coerce(attr, value, path, null);
                    JsonNode existing = container.get(name);
                    if (toRemove != null && existing != null && existing.isArray()) {
                        ArrayNode kept = NODES.arrayNode();
                        for (JsonNode e : existing) {
                            if (indexOfEqual(attr, (ArrayNode) toRemove, e) < 0) {
                                kept.add(e);
                            }
                        }
                        container.set(name, kept);
                    }
                    return;
                }
                container.remove(name);
                return;
            }
            JsonNode coerced = AttributeValues.coerce(attr, value, path, null);
            if (coerced == null) {
                if (op == Op.REPLACE) {
                    container.remove(name);
                }
                return;
            }
            if (attr.multiValued()) {
                if (op == Op.REPLACE) {
                    container.set(name, coerced);
                    return;
                }
                JsonNode existing = container.get(name);
                ArrayNode arr = existing != null && existing.isArray() ? (ArrayNode) existing : NODES.arrayNode();
                Set<JsonNode> written = Collections.newSetFromMap(new IdentityHashMap<>());
                for (JsonNode e : coerced) {
                    int i = indexOfEqual(attr, arr, e);
                    if (i < 0) {
                        arr.add(e);
                        written.add(e);
                    } else if (arr.get(i).isObject() && e.isObject()) {
                        ((ObjectNode) arr.get(i)).setAll((ObjectNode) e);
                        written.add(arr.get(i));
                    }
                }
                container.set(name, arr);
                keepPrimaryUnique(arr, written);
                return;
            }
            if (attr.isComplex()) {
                JsonNode existing = container.get(name);
                if (existing != null && existing.isObject()) {
                    ObjectNode merged = existing.deepCopy();
                    merged.setAll((ObjectNode) coerced);
                    container.set(name, merged);
                } else {
                    container.set(name, coerced);
                }
                return;
            }
            container.set(name, coerced);
        }

        private void applySub(
                Op op,
                AttributeDefinition attr,
                AttributeDefinition sub,
                JsonNode value,
                ObjectNode container,
                String path) {
            String subPath = path + "." + sub.name();
            JsonNode coerced = op == Op.REMOVE ? null : AttributeValues.coerce(sub, value, subPath, null);
            JsonNode existing = container.get(attr.name());
            if (attr.multiValued()) {
                // no filter: the sub-attribute of every value
                if (existing == null || !existing.isArray() || existing.isEmpty()) {
                    if (coerced != null) {
                        ArrayNode arr = container.putArray(attr.name());
                        arr.addObject().set(sub.name(), coerced);
                    }
                    return;
                }
                Set<JsonNode> written = Collections.newSetFromMap(new IdentityHashMap<>());
                for (JsonNode e : existing) {
                    if (e.isObject()) {
                        setOrRemove((ObjectNode) e, sub.name(), coerced, op);
                        written.add(e);
                    }
                }
                keepPrimaryUnique((ArrayNode) existing, written);
                return;
            }
            ObjectNode obj;
            if (existing != null && existing.isObject()) {
                obj = (ObjectNode) existing;
            } else {
                if (coerced == null) {
                    return;
                }
                obj = container.putObject(attr.name());
            }
            setOrRemove(obj, sub.name(), coerced, op);
            if (obj.isEmpty()) {
                container.remove(attr.name());
            }
        }

        private static void setOrRemove(ObjectNode obj, String name, JsonNode coerced, Op op) {
            if (op == Op.REMOVE || coerced == null) {
                if (op != Op.ADD) {
                    obj.remove(name);
                }
            } else {
                obj.set(name, coerced);
            }
        }

        private void applyFiltered(
                Op op,
                AttributeDefinition attr,
                AttributeDefinition sub,
                Filter filter,
                JsonNode value,
                ObjectNode container,
                String path) {
            // surfaces unknown sub-attributes and type mismatches in the filter even when there is no data
            FilterEvaluator.matches(filter, NODES.objectNode(), attr);
            JsonNode existing = container.get(attr.name());
            ArrayNode arr = existing != null && existing.isArray() ? (ArrayNode) existing : null;
            List<ObjectNode> matches = new ArrayList<>();
            if (arr != null) {
                for (JsonNode e : arr) {
                    if (e.isObject() && FilterEvaluator.matches(filter, e, attr)) {
                        matches.add((ObjectNode) e);
                    }
                }
            }
            if (op == Op.REMOVE) {
                if (matches.isEmpty()) {
                    throw ScimException.noTarget("no value of '" + path + "' matches the filter");
                }
                Set<JsonNode> hit = Collections.newSetFromMap(new IdentityHashMap<>());
                hit.addAll(matches);
                ArrayNode kept = NODES.arrayNode();
                for (JsonNode e : arr) {
                    if (!hit.contains(e)) {
                        kept.add(e);
                    } else if (sub != null) {
                        ((ObjectNode) e).remove(sub.name());
                        kept.add(e);
                    }
                }
                container.set(attr.name(), kept);
                return;
            }
            ObjectNode update;
            if (sub != null) {
                JsonNode c = AttributeValues.coerce(sub, value, path + "." + sub.name(), null);
                update = NODES.objectNode();
                if (c != null) {
                    update.set(sub.name(), c);
                } else if (op == Op.ADD) {
                    return;
                }
            } else {
                JsonNode c = AttributeValues.coerceElement(attr, value, path, null);
                if (c == null) {
                    return;
                }
                update = (ObjectNode) c;
            }
            Set<JsonNode> written = Collections.newSetFromMap(new IdentityHashMap<>());
            if (matches.isEmpty()) {
                // Entra: replace emails[type eq "work"].value when there is no work email yet -> create it
                ObjectNode created = elementFromEqualities(attr, filter);
                if (created == null) {
                    throw ScimException.noTarget("no value of '" + path + "' matches the filter");
                }
                if (update.isEmpty()) {
                    return;
                }
                created.setAll(update);
                if (arr == null) {
                    arr = container.putArray(attr.name());
                }
                arr.add(created);
                written.add(created);
            } else {
                for (ObjectNode m : matches) {
                    if (sub != null && update.isEmpty()) {
                        m.remove(sub.name()); // replace with null clears the sub-attribute
                    } else {
                        m.setAll(update);
                    }
                    written.add(m);
                }
            }
            keepPrimaryUnique(arr, written);
            AttributeValues.checkSinglePrimary(arr, path);
        }

        /** For a filter made only of "sub eq value" joined by and: the element it describes; else null. */
        private static ObjectNode elementFromEqualities(AttributeDefinition attr, Filter filter) {
            Map<String, JsonNode> eqs = new LinkedHashMap<>();
            if (!collectEqualities(attr, filter, eqs)) {
                return null;
            }
            ObjectNode el = NODES.objectNode();
            eqs.forEach(el::set);
            return el;
        }

        private static boolean collectEqualities(AttributeDefinition attr, Filter f, Map<String, JsonNode> out) {
            if (f instanceof Filter.And and) {
                return collectEqualities(attr, and.left(), out) && collectEqualities(attr, and.right(), out);
            }
            if (f instanceof Filter.Compare c && c.op() == CompareOp.EQ) {
                String subName = subNameOf(attr, c.path());
                AttributeDefinition sub =
                        subName == null ? null : attr.subAttribute(subName).orElse(null);
                if (sub == null || sub.mutability() == Mutability.READ_ONLY || sub.isComplex()) {
                    return false;
                }
                JsonNode v = AttributeValues.isAbsent(c.value())
                        ? null
                        : AttributeValues.coerceSimple(sub, c.value(), attr.name() + "." + sub.name());
                if (v == null) {
                    return false;
                }
                out.put(sub.name(), v);
                return true;
            }
            return false;
        }

        private void memberOperation(Op op, AttributeDefinition sub, Filter filter, JsonNode value) {
            if (sub != null) {
                throw ScimException.mutability("sub-attributes of members cannot be modified");
            }
            switch (op) {
                case ADD -> {
                    if (filter != null) {
                        throw ScimException.invalidFilter("'add' on members takes no filter");
                    }
                    List<MemberRef> refs = ResourceNormalizer.parseMembers(value);
                    if (refs != null && !refs.isEmpty()) {
                        memberOps.add(new MemberOperation(MemberOperation.Kind.ADD, refs));
                    }
                }
                case REPLACE -> {
                    if (filter != null) {
                        throw ScimException.invalidFilter("'replace' on members takes no filter");
                    }
                    List<MemberRef> refs = ResourceNormalizer.parseMembers(value);
                    if (refs == null) {
                        throw ScimException.invalidValue("'replace' of members needs a value (use [] to empty)");
                    }
                    memberOps.add(new MemberOperation(MemberOperation.Kind.REPLACE_ALL, refs));
                }
                case REMOVE -> {
                    if (filter != null) {
                        List<String> ids = new ArrayList<>();
                        if (!collectMemberIds(filter, ids)) {
                            throw ScimException.invalidFilter(
                                    "only 'value eq \"id\"' (optionally joined by 'or') is supported on members");
                        }
                        List<MemberRef> refs = new ArrayList<>();
                        for (String id : ids) {
                            refs.add(new MemberRef(id, null));
                        }
                        memberOps.add(new MemberOperation(MemberOperation.Kind.REMOVE, List.copyOf(refs)));
                        return;
                    }
                    List<MemberRef> refs = ResourceNormalizer.parseMembers(value);
                    if (refs == null) {
                        memberOps.add(new MemberOperation(MemberOperation.Kind.REMOVE_ALL, List.of()));
                    } else if (!refs.isEmpty()) {
                        memberOps.add(new MemberOperation(MemberOperation.Kind.REMOVE, refs));
                    }
                }
                default -> throw new IllegalStateException();
            }
        }

        private static boolean collectMemberIds(Filter f, List<String> ids) {
            if (f instanceof Filter.Or or) {
                return collectMemberIds(or.left(), ids) && collectMemberIds(or.right(), ids);
            }
            if (f instanceof Filter.ValuePath vp) {
                return vp.path() != null
                        && "members".equalsIgnoreCase(vp.path().attribute())
                        && collectMemberIds(vp.inner(), ids);
            }
            if (f instanceof Filter.Compare c && c.op() == CompareOp.EQ) {
                String subName =
                        subNameOf(ScimSchemas.GROUP.attribute("members").orElseThrow(), c.path());
                if ("value".equalsIgnoreCase(subName)
                        && c.value() != null
                        && (c.value().isTextual() || c.value().isNumber())
                        && !c.value().asText().isBlank()) {
                    ids.add(c.value().asText().trim());
                    return true;
                }
            }
            return false;
        }

        /** The sub-attribute a filter path inside brackets names: "type", or "emails.type" written in full. */
        private static String subNameOf(AttributeDefinition attr, AttributePath p) {
            if (p == null) {
                return null;
            }
            if (p.subAttribute() == null) {
                return p.attribute();
            }
            return attr.name().equalsIgnoreCase(p.attribute()) ? p.subAttribute() : null;
        }

        private static int indexOfEqual(AttributeDefinition attr, ArrayNode arr, JsonNode element) {
            AttributeDefinition valueDef =
                    attr.isComplex() ? attr.subAttribute("value").orElse(null) : attr;
            for (int i = 0; i < arr.size(); i++) {
                JsonNode e = arr.get(i);
                if (valueDef != null && attr.isComplex()) {
                    JsonNode a = e.get("value");
                    JsonNode b = element.get("value");
                    if (a != null && b != null) {
                        if (AttributeValues.sameValue(valueDef, a, b)) {
                            return i;
                        }
                        continue;
                    }
                }
                if (valueDef != null && !attr.isComplex()
                        ? AttributeValues.sameValue(valueDef, e, element)
                        : e.equals(element)) {
                    return i;
                }
            }
            return -1;
        }

        /** Setting primary on some values clears it on the others (RFC 7643 section 2.4). */
        private static void keepPrimaryUnique(ArrayNode arr, Set<JsonNode> written) {
            if (arr == null) {
                return;
            }
            boolean newPrimary = false;
            for (JsonNode w : written) {
                newPrimary |= w.path("primary").asBoolean(false);
            }
            if (!newPrimary) {
                return;
            }
            for (JsonNode e : arr) {
                if (!written.contains(e) && e.isObject() && e.path("primary").asBoolean(false)) {
                    ((ObjectNode) e).set("primary", BooleanNode.FALSE);
                }
            }
        }

        private static void removeField(ObjectNode obj, String name) {
            String k = JsonMembers.nameOf(obj, name);
            if (k != null) {
                obj.remove(k);
            }
        }
    }
}
