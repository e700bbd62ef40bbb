package io.scimledger.api;

import io.scimledger.scim.ScimException;
import java.util.regex.Pattern;

/**
 * Query parameters bound as text and parsed here, so a value that does not parse is a SCIM 400 invalidValue
 * naming the parameter. (Bound as Integer, JAX-RS answers an unconvertible value with 404 "no such endpoint".)
 */
final class QueryParameters {

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

    private QueryParameters() {}

    /** ASCII digits with an optional sign; Java's own parsers also take other scripts' digits, which we do not. */
    static boolean isInteger(String value) {
        return INTEGER.matcher(value).matches();
    }

    /**
     * @return null when absent or blank (as the audit API reads its parameters); an integer otherwise, clamped to the int range (RFC 7644 section 3.4.2.4
     *         already treats an out-of-range startIndex or count as the nearest meaningful one)
     */
    static Integer integer(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (!isInteger(v)) {
            throw ScimException.invalidValue("'" + name + "' must be an integer");
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException tooLarge) {
            return v.startsWith("-") ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
    }
}
