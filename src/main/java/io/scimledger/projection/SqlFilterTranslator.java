package io.scimledger.projection;

import com.fasterxml.jackson.databind.JsonNode;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.filter.CompareOp;
import io.scimledger.scim.filter.Filter;
import io.scimledger.scim.filter.FilterSupport;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.AttributeType;
import io.scimledger.scim.schema.ResolvedAttribute;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.Returned;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Translates a {@link Filter} into a parameterised PostgreSQL boolean expression over the projection tables
 * ({@code scim_user} / {@code scim_group} aliased {@code r}, {@code group_membership}). Values only ever travel
 * as {@code $n} parameters; identifiers and JSON keys only ever come from our schema definitions.
 *
 * <p>Semantics: {@code ne} and {@code not} match rows where the attribute is absent (NULL-safe via
 * {@code IS NOT TRUE}); {@code eq null} matches absent/null; {@code pr} means present and not null, empty string
 * or empty array/object; comparisons on a multi-valued attribute (or its sub-attributes) match when any element
 * matches; a multi-valued complex attribute compared directly compares its {@code value} sub-attribute.
 */
public final class SqlFilterTranslator {

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern SAFE_KEY = Pattern.compile("[A-Za-z0-9_$.:-]+");

    private enum Resource {
        USER,
        GROUP
    }

    /** How an operand is stored, which decides the SQL shape of comparisons on it. */
    private enum Storage {
        TEXT,
        BOOLEAN,
        TIMESTAMP,
        UUID,
        JSON
    }

    /**
     * @param expr for JSON, the text extraction ({@code ->>}); otherwise a typed SQL expression
     * @param json for JSON, the jsonb expression ({@code ->}); otherwise null
     */
    private record Operand(String label, AttributeDefinition def, Storage storage, String expr, String json) {}

    /** Resolves the paths of Compare / Present nodes: the resource row, an array element, or a membership row. */
    private interface Scope {
        String compare(Filter.Compare c);

        String present(Filter.Present p);

        String valuePath(Filter.ValuePath v);
    }

    private final ResourceTypeDefinition type;
    private final Resource resource;
    private final List<Object> params;

    private SqlFilterTranslator(ResourceTypeDefinition type, List<Object> params) {
        this.type = type;
        this.params = params;
        if (type.schema().id().equals(ScimSchemas.USER_URN)) {
            resource = Resource.USER;
        } else if (type.schema().id().equals(ScimSchemas.GROUP_URN)) {
            resource = Resource.GROUP;
        } else {
            throw new IllegalArgumentException("no projection table for resource type " + type.name());
        }
    }

    /**
     * Translates {@code filter} into a boolean SQL expression, appending its values to {@code params} and referring
     * to them as {@code $n} (n = params.size() after adding, 1-based, Vert.x pg client style).
     *
     * @throws ScimException invalidFilter for unknown attributes and operator/type mismatches
     */
    public static String toSql(Filter filter, ResourceTypeDefinition type, List<Object> params) {
        SqlFilterTranslator t = new SqlFilterTranslator(type, params);
        return t.translate(filter, t.new RootScope());
    }

    /**
     * The body of an ORDER BY clause (without the keywords) for {@code sortBy}, always ending with the stable
     * tie-breaker {@code r.id}. Resources without a value sort last ascending and first descending
     * (RFC 7644 section 3.4.2.3). A null sortBy gives {@code r.created, r.id}.
     *
     * @throws ScimException invalidFilter for unknown or unsortable attributes
     */
    public static String orderBy(AttributePath sortByOrNull, ResourceTypeDefinition type, boolean descending) {
        if (sortByOrNull == null) {
            return "r.created, r.id";
        }
        String key = new SqlFilterTranslator(type, new java.util.ArrayList<>()).sortKey(sortByOrNull);
        if (key == null) {
            return "r.created, r.id";
        }
        String dir = descending ? " DESC NULLS FIRST" : " ASC NULLS LAST";
        if (key.equals("r.id")) {
            return "r.id" + (descending ? " DESC" : " ASC");
        }
        return key + dir + ", r.id";
    }

    // ------------------------------------------------------------------ boolean structure

    private String translate(Filter f, Scope scope) {
        if (f instanceof Filter.And a) {
            return "(" + translate(a.left(), scope) + " AND " + translate(a.right(), scope) + ")";
        }
        if (f instanceof Filter.Or o) {
            return "(" + translate(o.left(), scope) + " OR " + translate(o.right(), scope) + ")";
        }
        if (f instanceof Filter.Not n) {
            return "(" + translate(n.inner(), scope) + ") IS NOT TRUE";
        }
        if (f instanceof Filter.Compare c) {
            return scope.compare(c);
        }
        if (f instanceof Filter.Present p) {
            return scope.present(p);
        }
        return scope.valuePath((Filter.ValuePath) f);
    }

    // ------------------------------------------------------------------ scopes

    private final class RootScope implements Scope {

        @Override
        public String compare(Filter.Compare c) {
            ResolvedAttribute ra = resolve(c.path());
            AttributeDefinition attr = ra.attribute();
            AttributeDefinition sub = ra.subAttribute();
            String label = ra.canonicalPath();
            if (isMembership(ra)) {
                String subName = sub != null ? sub.name() : "value";
                return membershipExists(new MembershipScope(attr).compareSub(subName, c.op(), c.value(), label));
            }
            if (isCommon(attr)) {
                return compareOperand(commonOperand(attr, sub, label), c.op(), c.value());
            }
            if (attr.multiValued()) {
                String a = attrJson(ra);
                AttributeDefinition target = sub;
                if (target == null) {
                    if (!attr.isComplex()) {
                        return elementsExist(a, compareOperand(elementSelf(attr, label), c.op(), c.value()));
                    }
                    target = attr.subAttribute("value")
                            .orElseThrow(() -> ScimException.invalidFilter(
                                    "complex attribute '" + label + "' cannot be compared; name a sub-attribute"));
                }
                return elementsExist(a, compareOperand(jsonOperand("e", target, label), c.op(), c.value()));
            }
            if (sub != null) {
                return compareOperand(jsonOperand(attrJson(ra), sub, label), c.op(), c.value());
            }
            return compareOperand(jsonOperand(container(ra), attr, label), c.op(), c.value());
        }

        @Override
        public String present(Filter.Present p) {
            ResolvedAttribute ra = resolve(p.path());
            AttributeDefinition attr = ra.attribute();
            AttributeDefinition sub = ra.subAttribute();
            String label = ra.canonicalPath();
            if (isMembership(ra)) {
                MembershipScope ms = new MembershipScope(attr);
                return membershipExists(sub == null ? "TRUE" : ms.presentSub(sub.name(), label));
            }
            if (isCommon(attr)) {
                if (attr.name().equals("meta") && sub == null) {
                    return "TRUE";
                }
                return presence(commonOperand(attr, sub, label));
            }
            if (attr.multiValued() && sub != null) {
                return elementsExist(attrJson(ra), presence(jsonOperand("e", sub, label)));
            }
            if (sub != null) {
                return presence(jsonOperand(attrJson(ra), sub, label));
            }
            return presence(jsonOperand(container(ra), attr, label));
        }

        @Override
        public String valuePath(Filter.ValuePath v) {
            ResolvedAttribute ra = resolve(v.path());
            AttributeDefinition attr = ra.attribute();
            String label = ra.canonicalPath();
            if (ra.subAttribute() != null || !attr.isComplex()) {
                throw ScimException.invalidFilter("a value filter needs a complex attribute, not '" + label + "'");
            }
            if (isMembership(ra)) {
                return membershipExists(translate(v.inner(), new MembershipScope(attr)));
            }
            if (!attr.multiValued()) {
                // single-valued complex: name[givenName eq "x"] is name.givenName eq "x"
                AttributePath base = v.path();
                return translate(qualify(v.inner(), base), this);
            }
            return elementsExist(attrJson(ra), translate(v.inner(), new ElementScope(attr, label)));
        }
    }

    /** An element {@code e} of a JSON array of a multi-valued attribute. */
    private final class ElementScope implements Scope {
        private final AttributeDefinition parent;
        private final String parentLabel;

        ElementScope(AttributeDefinition parent, String parentLabel) {
            this.parent = parent;
            this.parentLabel = parentLabel;
        }

        private Operand operand(AttributePath p) {
            if (p.schemaUrn() != null || p.subAttribute() != null || p.attribute() == null) {
                throw ScimException.invalidFilter("'" + p + "' is not a sub-attribute of '" + parentLabel + "'");
            }
            if (!parent.isComplex() && p.attribute().equalsIgnoreCase("value")) {
                return elementSelf(parent, parentLabel);
            }
            AttributeDefinition sub = parent.subAttribute(p.attribute())
                    .orElseThrow(() -> ScimException.invalidFilter(
                            "'" + parentLabel + "' has no sub-attribute '" + p.attribute() + "'"));
            return jsonOperand("e", sub, parentLabel + "." + sub.name());
        }

        @Override
        public String compare(Filter.Compare c) {
            return compareOperand(operand(c.path()), c.op(), c.value());
        }

        @Override
        public String present(Filter.Present p) {
            return presence(operand(p.path()));
        }

        @Override
        public String valuePath(Filter.ValuePath v) {
            throw ScimException.invalidFilter("value paths cannot be nested");
        }
    }

    /** A row {@code m} of group_membership: Group.members (value = member_id, type) or User.groups (value = group_id). */
    private final class MembershipScope implements Scope {
        private final AttributeDefinition parent;

        MembershipScope(AttributeDefinition parent) {
            this.parent = parent;
        }

        private Operand operand(String subName, String label) {
            AttributeDefinition sub = parent.subAttribute(subName)
                    .orElseThrow(() -> ScimException.invalidFilter(
                            "'" + parent.name() + "' has no sub-attribute '" + subName + "'"));
            String l = parent.name() + "." + sub.name();
            if (sub.name().equals("value")) {
                return new Operand(
                        l, sub, Storage.UUID, resource == Resource.GROUP ? "m.member_id" : "m.group_id", null);
            }
            if (sub.name().equals("type") && resource == Resource.GROUP) {
                return new Operand(l, sub, Storage.TEXT, "m.member_type", null);
            }
            throw ScimException.invalidFilter("filtering on '" + l + "' is not supported");
        }

        String compareSub(String subName, CompareOp op, JsonNode value, String label) {
            return compareOperand(operand(subName, label), op, value);
        }

        String presentSub(String subName, String label) {
            return presence(operand(subName, label));
        }

        private String subName(AttributePath p) {
            if (p.schemaUrn() != null || p.subAttribute() != null || p.attribute() == null) {
                throw ScimException.invalidFilter("'" + p + "' is not a sub-attribute of '" + parent.name() + "'");
            }
            return p.attribute();
        }

        @Override
        public String compare(Filter.Compare c) {
            return compareSub(subName(c.path()), c.op(), c.value(), null);
        }

        @Override
        public String present(Filter.Present p) {
            return presentSub(subName(p.path()), null);
        }

        @Override
        public String valuePath(Filter.ValuePath v) {
            throw ScimException.invalidFilter("value paths cannot be nested");
        }
    }

    // ------------------------------------------------------------------ resolution

    private ResolvedAttribute resolve(AttributePath path) {
        ResolvedAttribute ra = type.find(path)
                .orElseThrow(() -> ScimException.invalidFilter(
                        "unknown attribute '" + path + "' for resource type " + type.name()));
        if (ra.attribute().returned() == Returned.NEVER
                || (ra.subAttribute() != null && ra.subAttribute().returned() == Returned.NEVER)) {
            throw ScimException.invalidFilter("attribute '" + ra.canonicalPath() + "' cannot be filtered");
        }
        return ra;
    }

    private static boolean isCommon(AttributeDefinition attr) {
        for (AttributeDefinition a : ScimSchemas.COMMON_ATTRIBUTES) {
            if (a == attr) {
                return true;
            }
        }
        return false;
    }

    private boolean isMembership(ResolvedAttribute ra) {
        if (ra.extension()) {
            return false;
        }
        String n = ra.attribute().name();
        return (resource == Resource.GROUP && n.equals("members")) || (resource == Resource.USER && n.equals("groups"));
    }

    /** id, externalId, meta.* and the columns that shadow core attributes. */
    private Operand commonOperand(AttributeDefinition attr, AttributeDefinition sub, String label) {
        switch (attr.name()) {
            case "id":
                return new Operand(label, attr, Storage.UUID, "r.id", null);
            case "externalId":
                return new Operand(label, attr, Storage.TEXT, "r.external_id", null);
            default:
                break;
        }
        if (sub == null) {
            throw ScimException.invalidFilter("complex attribute 'meta' cannot be compared; name a sub-attribute");
        }
        switch (sub.name()) {
            case "created":
                return new Operand(label, sub, Storage.TIMESTAMP, "r.created", null);
            case "lastModified":
                return new Operand(label, sub, Storage.TIMESTAMP, "r.last_modified", null);
            case "resourceType":
                return new Operand(label, sub, Storage.TEXT, "'" + sqlKey(type.name()) + "'::text", null);
            case "version":
                return new Operand(label, sub, Storage.TEXT, "('W/\"' || r.version::text || '\"')", null);
            default:
                throw ScimException.invalidFilter("filtering on '" + label + "' is not supported");
        }
    }

    /** The jsonb object holding the attribute: the document, or the extension's object inside it. */
    private static String container(ResolvedAttribute ra) {
        return ra.extension() ? "(r.doc -> '" + sqlKey(ra.schema().id()) + "')" : "r.doc";
    }

    private String attrJson(ResolvedAttribute ra) {
        String col = columnFor(ra);
        if (col != null) {
            throw new IllegalStateException("column attribute reached JSON path: " + ra.canonicalPath());
        }
        return "(" + container(ra) + " -> '" + sqlKey(ra.attribute().name()) + "')";
    }

    /** Columns that shadow core attributes (userName, active, Group displayName); null for doc attributes. */
    private String columnFor(ResolvedAttribute ra) {
        if (ra.extension() || ra.subAttribute() != null) {
            return null;
        }
        String n = ra.attribute().name();
        if (resource == Resource.USER && n.equals("userName")) {
            return "r.user_name";
        }
        if (resource == Resource.USER && n.equals("active")) {
            return "r.active";
        }
        if (resource == Resource.GROUP && n.equals("displayName")) {
            return "r.display_name";
        }
        return null;
    }

    /** Operand for attribute {@code def} inside jsonb object expression {@code containerJson}, or its column. */
    private Operand jsonOperand(String containerJson, AttributeDefinition def, String label) {
        if (containerJson.equals("r.doc")) {
            if (resource == Resource.USER && def.name().equals("userName")) {
                return new Operand(label, def, Storage.TEXT, "r.user_name", null);
            }
            if (resource == Resource.USER && def.name().equals("active")) {
                return new Operand(label, def, Storage.BOOLEAN, "r.active", null);
            }
            if (resource == Resource.GROUP && def.name().equals("displayName")) {
                return new Operand(label, def, Storage.TEXT, "r.display_name", null);
            }
        }
        String key = sqlKey(def.name());
        return new Operand(
                label,
                def,
                Storage.JSON,
                "(" + containerJson + " ->> '" + key + "')",
                "(" + containerJson + " -> '" + key + "')");
    }

    /** The element itself, for multi-valued simple attributes. */
    private static Operand elementSelf(AttributeDefinition def, String label) {
        return new Operand(label, def, Storage.JSON, "(e #>> '{}')", "e");
    }

    private static String sqlKey(String name) {
        if (!SAFE_KEY.matcher(name).matches()) {
            throw new IllegalStateException("unexpected schema name " + name);
        }
        return name;
    }

    /** Rewrites the sub-attribute names inside {@code base[...]} into full paths {@code base.sub}. */
    private static Filter qualify(Filter f, AttributePath base) {
        if (f instanceof Filter.And a) {
            return new Filter.And(qualify(a.left(), base), qualify(a.right(), base));
        }
        if (f instanceof Filter.Or o) {
            return new Filter.Or(qualify(o.left(), base), qualify(o.right(), base));
        }
        if (f instanceof Filter.Not n) {
            return new Filter.Not(qualify(n.inner(), base));
        }
        if (f instanceof Filter.Compare c) {
            return new Filter.Compare(qualifyPath(c.path(), base), c.op(), c.value());
        }
        if (f instanceof Filter.Present p) {
            return new Filter.Present(qualifyPath(p.path(), base));
        }
        throw ScimException.invalidFilter("value paths cannot be nested");
    }

    private static AttributePath qualifyPath(AttributePath p, AttributePath base) {
        if (p.schemaUrn() != null || p.subAttribute() != null || p.attribute() == null) {
            throw ScimException.invalidFilter("'" + p + "' is not a sub-attribute of '" + base + "'");
        }
        return new AttributePath(base.schemaUrn(), base.attribute(), p.attribute());
    }

    // ------------------------------------------------------------------ SQL fragments

    private String elementsExist(String arrayJson, String condition) {
        return "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(" + arrayJson + ") = 'array' THEN "
                + arrayJson + " ELSE '[]'::jsonb END) e WHERE " + condition + ")";
    }

    private String membershipExists(String condition) {
        String link = resource == Resource.GROUP ? "m.group_id = r.id" : "m.member_id = r.id";
        return "EXISTS (SELECT 1 FROM group_membership m WHERE m.tenant_id = r.tenant_id AND " + link
                + ("TRUE".equals(condition) ? "" : " AND " + condition) + ")";
    }

    private String param(Object value, String cast) {
        params.add(value);
        return "$" + params.size() + "::" + cast;
    }

    private static String presence(Operand o) {
        switch (o.storage()) {
            case TEXT:
                return "(" + o.expr() + " IS NOT NULL AND " + o.expr() + " <> '')";
            case JSON: {
                AttributeDefinition d = o.def();
                if (d.multiValued() && !o.json().equals("e")) {
                    return "(jsonb_typeof(" + o.json() + ") = 'array' AND " + o.json() + " <> '[]'::jsonb)";
                }
                if (d.isComplex()) {
                    return "(jsonb_typeof(" + o.json() + ") = 'object' AND " + o.json() + " <> '{}'::jsonb)";
                }
                return "(jsonb_typeof(" + o.json() + ") NOT IN ('null', 'array', 'object') AND " + o.expr() + " <> '')";
            }
            default:
                return "(" + o.expr() + " IS NOT NULL)";
        }
    }

    private String compareOperand(Operand o, CompareOp op, JsonNode value) {
        FilterSupport.checkCompare(op, value, o.def(), o.label());
        if (value == null || value.isNull()) {
            String absent = o.storage() == Storage.JSON
                    ? "(" + o.json() + " IS NULL OR jsonb_typeof(" + o.json() + ") = 'null')"
                    : "(" + o.expr() + " IS NULL)";
            return op == CompareOp.EQ ? absent : "(" + absent + ") IS NOT TRUE";
        }
        if (op == CompareOp.NE) {
            return "(" + compareOperand(o, CompareOp.EQ, value) + ") IS NOT TRUE";
        }
        switch (o.storage()) {
            case UUID: {
                if (op != CompareOp.EQ) {
                    throw ScimException.invalidFilter("operator '" + op.name().toLowerCase(Locale.ROOT)
                            + "' is not supported on '" + o.label() + "'; use eq or ne");
                }
                if (!UUID_TEXT.matcher(value.textValue()).matches()) {
                    return "FALSE";
                }
                return "(" + o.expr() + " = " + param(UUID.fromString(value.textValue()), "uuid") + ")";
            }
            case BOOLEAN:
                return "(" + o.expr() + " = " + param(value.booleanValue(), "boolean") + ")";
            case TIMESTAMP:
                return "(" + o.expr() + " " + sqlOp(op) + " "
                        + param(FilterSupport.parseDateTime(value.textValue(), o.label()), "timestamptz") + ")";
            case TEXT:
                return textCompare(o.expr(), o.def().caseExact(), op, value.textValue());
            default:
                break;
        }
        // JSON
        AttributeType t = o.def().type();
        switch (t) {
            case BOOLEAN:
                return "(" + o.json() + " = to_jsonb(" + param(value.booleanValue(), "boolean") + "))";
            case INTEGER:
            case DECIMAL:
                return "((CASE WHEN jsonb_typeof(" + o.json() + ") = 'number' THEN " + o.expr() + "::numeric END) "
                        + sqlOp(op) + " " + param(value.decimalValue(), "numeric") + ")";
            case DATE_TIME:
                return "((CASE WHEN jsonb_typeof(" + o.json() + ") = 'string' THEN " + o.expr()
                        + "::timestamptz END) " + sqlOp(op) + " "
                        + param(FilterSupport.parseDateTime(value.textValue(), o.label()), "timestamptz") + ")";
            default:
                return textCompare(o.expr(), o.def().caseExact(), op, value.textValue());
        }
    }

    private String textCompare(String expr, boolean caseExact, CompareOp op, String value) {
        String lhs = caseExact ? expr : "lower(" + expr + ")";
        switch (op) {
            case CO:
            case SW:
            case EW: {
                String escaped = escapeLike(value);
                String pattern = (op == CompareOp.SW ? "" : "%") + escaped + (op == CompareOp.EW ? "" : "%");
                String p = param(pattern, "text");
                return "(" + lhs + " LIKE " + (caseExact ? p : "lower(" + p + ")") + " ESCAPE '\\')";
            }
            default: {
                String p = param(value, "text");
                return "(" + lhs + " " + sqlOp(op) + " " + (caseExact ? p : "lower(" + p + ")") + ")";
            }
        }
    }

    static String escapeLike(String value) {
        StringBuilder b = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '%' || c == '_') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    private static String sqlOp(CompareOp op) {
        switch (op) {
            case EQ:
                return "=";
            case GT:
                return ">";
            case GE:
                return ">=";
            case LT:
                return "<";
            case LE:
                return "<=";
            default:
                throw new IllegalStateException("no SQL operator for " + op);
        }
    }

    // ------------------------------------------------------------------ sorting

    /** The sort key expression, or null when the attribute has one value for every row (meta.resourceType). */
    private String sortKey(AttributePath path) {
        ResolvedAttribute ra = resolve(path);
        AttributeDefinition attr = ra.attribute();
        AttributeDefinition sub = ra.subAttribute();
        String label = ra.canonicalPath();
        if (isMembership(ra)) {
            throw ScimException.invalidFilter("cannot sort by '" + label + "'");
        }
        if (isCommon(attr)) {
            if (attr.name().equals("meta") && sub != null) {
                switch (sub.name()) {
                    case "created":
                        return "r.created";
                    case "lastModified":
                        return "r.last_modified";
                    case "version":
                        return "r.version";
                    case "resourceType":
                        return null;
                    default:
                        break;
                }
            }
            if (attr.name().equals("id")) {
                return "r.id";
            }
            if (attr.name().equals("externalId")) {
                return "r.external_id";
            }
            throw ScimException.invalidFilter("cannot sort by '" + label + "'");
        }
        if (attr.multiValued()) {
            AttributeDefinition target = sub;
            if (target == null) {
                target = attr.subAttribute("value")
                        .orElseThrow(
                                () -> ScimException.invalidFilter("cannot sort by complex attribute '" + label + "'"));
            }
            String a = attrJson(ra);
            String key = sqlKey(target.name());
            // RFC 7644 3.4.2.3: a multi-valued attribute sorts by its primary value, else its first
            String text = "coalesce((SELECT e ->> '" + key + "' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(" + a
                    + ") = 'array' THEN " + a
                    + " ELSE '[]'::jsonb END) e WHERE e -> 'primary' = 'true'::jsonb LIMIT 1), "
                    + a + " -> 0 ->> '" + key + "')";
            return sortExpr(text, target);
        }
        if (attr.isComplex() && sub == null) {
            throw ScimException.invalidFilter("cannot sort by complex attribute '" + label + "'");
        }
        Operand o = sub != null ? jsonOperand(attrJson(ra), sub, label) : jsonOperand(container(ra), attr, label);
        if (o.storage() != Storage.JSON) {
            return o.def().caseExact() || o.storage() == Storage.BOOLEAN ? o.expr() : "lower(" + o.expr() + ")";
        }
        return sortExpr(o.expr(), o.def());
    }

    private static String sortExpr(String text, AttributeDefinition def) {
        switch (def.type()) {
            case INTEGER:
            case DECIMAL:
                return "(CASE WHEN " + text + " ~ '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$' THEN " + text
                        + "::numeric END)";
            case STRING:
            case REFERENCE:
                return def.caseExact() ? text : "lower(" + text + ")";
            default:
                return text;
        }
    }
}
