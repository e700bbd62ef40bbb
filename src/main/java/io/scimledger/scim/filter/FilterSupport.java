package io.scimledger.scim.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributeType;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/** Rules shared by the SQL translator ({@code projection.SqlFilterTranslator}) and the in-memory evaluator, so both accept exactly the same filters. */
public final class FilterSupport {

    private FilterSupport() {}

    /**
     * Rejects (invalidFilter) an operator or value the attribute's type does not support: complex attributes are
     * never compared, null only with eq/ne, booleans and binaries only with eq/ne, co/sw/ew only on strings and
     * references, ordering operators on strings, references, numbers and dateTimes; the value's JSON type must
     * fit the attribute type.
     */
    public static void checkCompare(CompareOp op, JsonNode value, AttributeDefinition def, String label) {
        AttributeType type = def.type();
        if (type == AttributeType.COMPLEX) {
            throw ScimException.invalidFilter(
                    "complex attribute '" + label + "' cannot be compared; name a sub-attribute");
        }
        if (value == null || value.isNull() || value.isMissingNode()) {
            if (op != CompareOp.EQ && op != CompareOp.NE) {
                throw ScimException.invalidFilter(
                        "null can only be compared with eq or ne (attribute '" + label + "')");
            }
            return;
        }
        boolean ordering = op == CompareOp.GT || op == CompareOp.GE || op == CompareOp.LT || op == CompareOp.LE;
        boolean substring = op == CompareOp.CO || op == CompareOp.SW || op == CompareOp.EW;
        switch (type) {
            case STRING, REFERENCE -> requireText(value, label);
            case BINARY -> {
                requireText(value, label);
                if (ordering || substring) {
                    throw badOp(op, label, "binary");
                }
            }
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    throw ScimException.invalidFilter(
                            "attribute '" + label + "' is boolean; compare it with true or false");
                }
                if (ordering || substring) {
                    throw badOp(op, label, "boolean");
                }
            }
            case INTEGER, DECIMAL -> {
                if (!value.isNumber() || (type == AttributeType.INTEGER && !value.isIntegralNumber())) {
                    throw ScimException.invalidFilter(
                            "attribute '" + label + "' is " + type.scimName() + "; compare it with a number");
                }
                if (substring) {
                    throw badOp(op, label, type.scimName());
                }
            }
            case DATE_TIME -> {
                requireText(value, label);
                if (substring) {
                    throw badOp(op, label, "dateTime");
                }
                parseDateTime(value.textValue(), label);
            }
            default -> throw ScimException.invalidFilter("attribute '" + label + "' cannot be compared");
        }
    }

    private static void requireText(JsonNode value, String label) {
        if (!value.isTextual()) {
            throw ScimException.invalidFilter("attribute '" + label + "' needs a quoted string value");
        }
    }

    private static ScimException badOp(CompareOp op, String label, String typeName) {
        return ScimException.invalidFilter("operator '" + op.name().toLowerCase(Locale.ROOT) + "' is not supported on "
                + typeName + " attribute '" + label + "'");
    }

    /** xsd:dateTime as RFC 7643 uses it; a value without offset is taken as UTC. invalidFilter when unparseable. */
    public static OffsetDateTime parseDateTime(String text, String label) {
        OffsetDateTime t = tryParseDateTime(text);
        if (t == null) {
            throw ScimException.invalidFilter("'" + text + "' is not a valid dateTime for attribute '" + label
                    + "' (expected e.g. 2011-05-13T04:42:34Z)");
        }
        return t;
    }

    static OffsetDateTime tryParseDateTime(String text) {
        if (text == null) {
            return null;
        }
        try {
            TemporalAccessor t =
                    DateTimeFormatter.ISO_DATE_TIME.parseBest(text.trim(), OffsetDateTime::from, LocalDateTime::from);
            if (t instanceof OffsetDateTime o) {
                return o;
            }
            return ((LocalDateTime) t).atOffset(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
