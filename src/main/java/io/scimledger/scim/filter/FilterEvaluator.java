package io.scimledger.scim.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributePath;
import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * Evaluates a value filter (the part inside {@code emails[...]}) against one element of a multi-valued complex
 * attribute, as PATCH needs for paths like {@code emails[type eq "work"].value}. Same operator/type rules as
 * {@code projection.SqlFilterTranslator}: {@code ne} matches elements where the sub-attribute is absent, {@code eq null}
 * matches absent or null, {@code pr} means present and not null, empty string or empty array/object.
 */
public final class FilterEvaluator {

    private FilterEvaluator() {}

    /**
     * @param filter           paths name sub-attributes of {@code complexAttribute} (schemaUrn and subAttribute null)
     * @param element          one array element (normally an object)
     * @param complexAttribute the multi-valued attribute's definition; for a multi-valued simple attribute the
     *                         element itself is addressed as {@code value}
     * @throws ScimException invalidFilter for unknown sub-attributes, nested value paths or type mismatches
     */
    public static boolean matches(Filter filter, JsonNode element, AttributeDefinition complexAttribute) {
        if (filter instanceof Filter.And a) {
            // evaluate both sides so type errors surface regardless of data
            boolean l = matches(a.left(), element, complexAttribute);
            boolean r = matches(a.right(), element, complexAttribute);
            return l && r;
        }
        if (filter instanceof Filter.Or o) {
            boolean l = matches(o.left(), element, complexAttribute);
            boolean r = matches(o.right(), element, complexAttribute);
            return l || r;
        }
        if (filter instanceof Filter.Not n) {
            return !matches(n.inner(), element, complexAttribute);
        }
        if (filter instanceof Filter.Present p) {
            AttributeDefinition def = subDefinition(p.path(), complexAttribute);
            return isPresent(valueOf(element, def, complexAttribute));
        }
        if (filter instanceof Filter.Compare c) {
            AttributeDefinition def = subDefinition(c.path(), complexAttribute);
            FilterSupport.checkCompare(c.op(), c.value(), def, c.path().toString());
            JsonNode actual = valueOf(element, def, complexAttribute);
            boolean eq;
            if (c.op() == CompareOp.EQ || c.op() == CompareOp.NE) {
                eq = equalsValue(actual, c.value(), def);
                return c.op() == CompareOp.EQ ? eq : !eq;
            }
            return compare(actual, c.op(), c.value(), def);
        }
        throw ScimException.invalidFilter("value paths cannot be nested");
    }

    private static AttributeDefinition subDefinition(AttributePath path, AttributeDefinition parent) {
        if (path.schemaUrn() != null || path.subAttribute() != null || path.attribute() == null) {
            throw ScimException.invalidFilter("'" + path + "' is not a sub-attribute of '" + parent.name() + "'");
        }
        if (!parent.isComplex()) {
            if (path.attribute().equalsIgnoreCase("value")) {
                return parent;
            }
            throw ScimException.invalidFilter(
                    "'" + parent.name() + "' has no sub-attribute '" + path.attribute() + "'");
        }
        return parent.subAttribute(path.attribute())
                .orElseThrow(() -> ScimException.invalidFilter(
                        "'" + parent.name() + "' has no sub-attribute '" + path.attribute() + "'"));
    }

    private static JsonNode valueOf(JsonNode element, AttributeDefinition def, AttributeDefinition parent) {
        if (element == null) {
            return null;
        }
        if (def == parent) {
            return element;
        }
        if (!element.isObject()) {
            return null;
        }
        return JsonMembers.get(element, def.name());
    }

    private static boolean isAbsent(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode();
    }

    private static boolean isPresent(JsonNode v) {
        if (isAbsent(v)) {
            return false;
        }
        if (v.isTextual()) {
            return !v.textValue().isEmpty();
        }
        if (v.isContainerNode()) {
            return v.size() > 0;
        }
        return true;
    }

    private static boolean equalsValue(JsonNode actual, JsonNode expected, AttributeDefinition def) {
        if (isAbsent(expected)) {
            return isAbsent(actual);
        }
        if (isAbsent(actual)) {
            return false;
        }
        switch (def.type()) {
            case BOOLEAN:
                return actual.isBoolean() && actual.booleanValue() == expected.booleanValue();
            case INTEGER:
            case DECIMAL:
                return actual.isNumber() && actual.decimalValue().compareTo(expected.decimalValue()) == 0;
            case DATE_TIME: {
                OffsetDateTime a = actual.isTextual() ? FilterSupport.tryParseDateTime(actual.textValue()) : null;
                OffsetDateTime e = FilterSupport.tryParseDateTime(expected.textValue());
                return a != null && e != null && a.isEqual(e);
            }
            default:
                return actual.isTextual() && fold(actual.textValue(), def).equals(fold(expected.textValue(), def));
        }
    }

    private static boolean compare(JsonNode actual, CompareOp op, JsonNode expected, AttributeDefinition def) {
        if (isAbsent(actual)) {
            return false;
        }
        int cmp;
        switch (def.type()) {
            case INTEGER:
            case DECIMAL:
                if (!actual.isNumber()) {
                    return false;
                }
                cmp = actual.decimalValue().compareTo(expected.decimalValue());
                break;
            case DATE_TIME: {
                OffsetDateTime a = actual.isTextual() ? FilterSupport.tryParseDateTime(actual.textValue()) : null;
                if (a == null) {
                    return false;
                }
                cmp = a.toInstant()
                        .compareTo(FilterSupport.tryParseDateTime(expected.textValue())
                                .toInstant());
                break;
            }
            default: {
                if (!actual.isTextual()) {
                    return false;
                }
                String a = fold(actual.textValue(), def);
                String e = fold(expected.textValue(), def);
                switch (op) {
                    case CO:
                        return a.contains(e);
                    case SW:
                        return a.startsWith(e);
                    case EW:
                        return a.endsWith(e);
                    default:
                        cmp = a.compareTo(e);
                }
            }
        }
        switch (op) {
            case GT:
                return cmp > 0;
            case GE:
                return cmp >= 0;
            case LT:
                return cmp < 0;
            case LE:
                return cmp <= 0;
            default:
                throw new IllegalStateException("unexpected operator " + op);
        }
    }

    private static String fold(String s, AttributeDefinition def) {
        return def.caseExact() ? s : s.toLowerCase(Locale.ROOT);
    }
}
