package io.scimledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.ResolvedAttribute;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.Returned;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code attributes} / {@code excludedAttributes} query parameters (RFC 7644 section 3.4.2.5), resolved against
 * the schema. Also tells the caller whether an expensive attribute (members, groups) is wanted at all, so it is not
 * even read from the database when excluded.
 */
public final class AttributeSelection {

    private static final AttributeSelection ALL = new AttributeSelection(null, Set.of());

    /** Canonical lower-case paths ("name.givenName" → "name.givenname", "urn:..:user:manager"); null = everything. */
    private final Set<String> include;

    private final Set<String> exclude;

    private AttributeSelection(Set<String> include, Set<String> exclude) {
        this.include = include;
        this.exclude = exclude;
    }

    public static AttributeSelection all() {
        return ALL;
    }

    public static AttributeSelection parse(ResourceTypeDefinition type, String attributes, String excluded) {
        Set<String> inc = paths(type, attributes);
        Set<String> exc = paths(type, excluded);
        if (inc.isEmpty() && exc.isEmpty()) {
            return ALL;
        }
        return new AttributeSelection(inc.isEmpty() ? null : inc, inc.isEmpty() ? exc : Set.of());
    }

    private static Set<String> paths(ResourceTypeDefinition type, String csv) {
        Set<String> out = new HashSet<>();
        if (csv == null || csv.isBlank()) {
            return out;
        }
        for (String raw : csv.split(",")) {
            String text = raw.trim();
            if (text.isEmpty()) {
                continue;
            }
            if (type.extension(text).isPresent()) {
                // A whole extension named by its schema URN (RFC 7644 section 3.10).
                out.add(type.extension(text).get().id().toLowerCase(Locale.ROOT));
                continue;
            }
            AttributePath path;
            try {
                path = AttributePath.parse(text);
            } catch (ScimException e) {
                throw ScimException.invalidValue("invalid attribute name '" + text + "' in attributes list");
            }
            if (path.attribute() == null) {
                continue;
            }
            // Unknown attributes are ignored, as clients list attributes of schemas we may not have.
            Optional<ResolvedAttribute> resolved = type.find(path);
            resolved.ifPresent(r -> out.add(r.canonicalPath().toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    /** Whether a top-level attribute (canonical name, URN-qualified for extensions) will appear. */
    public boolean wants(String topLevel) {
        String key = topLevel.toLowerCase(Locale.ROOT);
        if (include != null) {
            return include.stream().anyMatch(p -> p.equals(key) || p.startsWith(key + "."));
        }
        return !exclude.contains(key);
    }

    /** Removes what was not asked for; id, schemas and returned=always attributes always stay. */
    public ObjectNode apply(ResourceTypeDefinition type, ObjectNode resource) {
        applyExtensionReturned(type, resource);
        if (this == ALL) {
            return resource;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = resource.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (name.equals("schemas") || name.equals("id")) {
                continue;
            }
            if (type.extension(name).isPresent()) {
                String urn = type.extension(name).get().id().toLowerCase(Locale.ROOT);
                if (include != null ? include.contains(urn) : !exclude.contains(urn)) {
                    if (include == null && filterChildren(urn + ":", field.getValue(), type, true)) {
                        it.remove();
                    }
                    continue;
                }
                if (include == null || filterChildren(urn + ":", field.getValue(), type, true)) {
                    it.remove();
                }
                continue;
            }
            if (isAlways(type, name)) {
                continue;
            }
            String key = name.toLowerCase(Locale.ROOT);
            if (include != null) {
                if (include.contains(key)) {
                    continue;
                }
                if (include.stream().anyMatch(p -> p.startsWith(key + "."))) {
                    filterChildren(name + ".", field.getValue(), type, false);
                    continue;
                }
                it.remove();
            } else if (exclude.contains(key)) {
                it.remove();
            } else {
                filterChildren(name + ".", field.getValue(), type, false);
            }
        }
        return resource;
    }

    /**
     * Extension attributes as the tenant's schemas say now: a value under a schema or attribute the tenant no longer
     * has is not shown (the log keeps it), {@code returned: never} is never shown and {@code returned: request} only
     * when {@code attributes} names it or its schema (RFC 7643 section 7).
     */
    private void applyExtensionReturned(ResourceTypeDefinition type, ObjectNode resource) {
        for (Iterator<Map.Entry<String, JsonNode>> it = resource.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (!name.regionMatches(true, 0, "urn:", 0, 4)) {
                continue;
            }
            Optional<io.scimledger.scim.schema.SchemaDefinition> ext = type.extension(name);
            if (ext.isEmpty() || !field.getValue().isObject()) {
                it.remove();
                continue;
            }
            String urn = ext.get().id().toLowerCase(Locale.ROOT);
            ObjectNode shown = ((ObjectNode) field.getValue()).deepCopy();
            for (Iterator<String> names = shown.fieldNames(); names.hasNext(); ) {
                String attr = names.next();
                Returned returned =
                        ext.get().attribute(attr).map(a -> a.returned()).orElse(Returned.NEVER);
                boolean requested = include != null
                        && (include.contains(urn) || include.contains(urn + ":" + attr.toLowerCase(Locale.ROOT)));
                if (returned == Returned.NEVER || (returned == Returned.REQUEST && !requested)) {
                    names.remove();
                }
            }
            if (shown.isEmpty()) {
                it.remove();
            } else {
                field.setValue(shown);
            }
        }
        if (resource.get("schemas") instanceof ArrayNode schemas) {
            for (Iterator<JsonNode> it = schemas.elements(); it.hasNext(); ) {
                String urn = it.next().asText();
                if (!type.knowsSchema(urn)) {
                    it.remove();
                }
            }
        }
    }

    /** Filters sub-attributes (of a complex value, each element of a multi-valued one, or an extension object). */
    private boolean filterChildren(String prefix, JsonNode value, ResourceTypeDefinition type, boolean extension) {
        if (value instanceof ArrayNode array) {
            for (JsonNode element : array) {
                filterChildren(prefix, element, type, false);
            }
            return false;
        }
        if (!(value instanceof ObjectNode obj)) {
            return false;
        }
        String lowerPrefix = prefix.toLowerCase(Locale.ROOT);
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String sub = it.next();
            String key = lowerPrefix + sub.toLowerCase(Locale.ROOT);
            boolean keep;
            if (include != null) {
                keep = include.contains(key)
                        || include.contains(lowerPrefix.substring(0, lowerPrefix.length() - 1))
                        || (extension && include.stream().anyMatch(p -> p.startsWith(key + ".")));
            } else {
                keep = !exclude.contains(key);
            }
            if (!keep) {
                it.remove();
            }
        }
        return extension && obj.isEmpty();
    }

    private static boolean isAlways(ResourceTypeDefinition type, String name) {
        return type.find(new AttributePath(null, name, null))
                .map(r -> r.attribute().returned() == Returned.ALWAYS)
                .orElse(false);
    }
}
