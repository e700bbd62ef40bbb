package io.scimledger.scim.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.SchemaDefinition;
import io.scimledger.scim.schema.ScimSchemas;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recursive-descent parser for the RFC 7644 section 3.4.2.2 filter grammar and the section 3.5.2 PATCH path grammar.
 * Precedence: {@code not} / parentheses / value paths bind tightest, then {@code and}, then {@code or}; both binary
 * operators are left-associative. Operators, keywords and attribute names are case-insensitive. Every error is a
 * {@link ScimException} with scimType invalidFilter (invalidPath for {@link #parsePatchPath}) naming the position.
 */
public final class FilterParser {

    /** Longest filter or path accepted, in characters. */
    public static final int MAX_LENGTH = 4096;
    /** Deepest nesting of parentheses, {@code not} and value-path brackets accepted. */
    public static final int MAX_DEPTH = 32;

    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private final String text;
    private int pos;
    private int depth;
    private boolean inBracket;

    private FilterParser(String text) {
        this.text = text;
    }

    /** Parses a complete filter expression. */
    public static Filter parse(String text) {
        if (text == null || text.isBlank()) {
            throw ScimException.invalidFilter("empty filter");
        }
        if (text.length() > MAX_LENGTH) {
            throw ScimException.invalidFilter("filter longer than " + MAX_LENGTH + " characters");
        }
        FilterParser p = new FilterParser(text);
        Filter f = p.parseOr();
        p.skipWs();
        if (p.pos < text.length()) {
            throw p.error("unexpected " + p.describeHere() + "; expected 'and', 'or' or end of filter");
        }
        return f;
    }

    /**
     * Parses a PATCH path: {@code attrPath}, {@code attrPath[valFilter]} or {@code attrPath[valFilter].subAttr}.
     * A bare schema URN we know (e.g. the enterprise extension URN) yields an AttributePath with attribute null.
     * Every error is invalidPath.
     */
    public static PatchPath parsePatchPath(String text) {
        if (text == null || text.isBlank()) {
            throw ScimException.invalidPath("empty path");
        }
        if (text.length() > MAX_LENGTH) {
            throw ScimException.invalidPath("path longer than " + MAX_LENGTH + " characters");
        }
        String t = text.trim();
        for (SchemaDefinition s : ScimSchemas.all()) {
            if (s.id().equalsIgnoreCase(t)) {
                return new PatchPath(new AttributePath(t, null, null), null, null);
            }
        }
        int bracket = t.indexOf('[');
        if (bracket < 0) {
            AttributePath ap = AttributePath.parse(t);
            if (ap.attribute() == null) {
                throw ScimException.invalidPath("invalid path: " + text);
            }
            return new PatchPath(ap, null, null);
        }
        AttributePath ap;
        try {
            ap = AttributePath.parse(t.substring(0, bracket));
        } catch (ScimException e) {
            throw ScimException.invalidPath("invalid attribute before '[' in path: " + text);
        }
        if (ap.attribute() == null || ap.subAttribute() != null) {
            throw ScimException.invalidPath("a value filter must follow a top-level attribute: " + text);
        }
        FilterParser p = new FilterParser(t);
        p.pos = bracket + 1;
        Filter inner;
        try {
            p.depth = 1;
            p.inBracket = true;
            inner = p.parseOr();
            p.skipWs();
            p.expect(']');
        } catch (ScimException e) {
            throw ScimException.invalidPath("invalid value filter in path: " + e.getMessage());
        }
        String sub = null;
        if (p.pos < t.length()) {
            if (t.charAt(p.pos) != '.') {
                throw ScimException.invalidPath("unexpected '" + t.charAt(p.pos) + "' at position " + (p.pos + 1)
                        + " in path; expected '.subAttribute' or end of path");
            }
            sub = t.substring(p.pos + 1);
            if (!AttributePath.isAttrName(sub)) {
                throw ScimException.invalidPath("invalid sub-attribute '" + sub + "' in path: " + text);
            }
        }
        return new PatchPath(ap, inner, sub);
    }

    // ---------------------------------------------------------------- grammar

    private Filter parseOr() {
        Filter left = parseAnd();
        while (keyword("or")) {
            left = new Filter.Or(left, parseAnd());
        }
        return left;
    }

    private Filter parseAnd() {
        Filter left = parseUnary();
        while (keyword("and")) {
            left = new Filter.And(left, parseUnary());
        }
        return left;
    }

    private Filter parseUnary() {
        skipWs();
        if (pos >= text.length()) {
            throw error("unexpected end of filter; expected an attribute, 'not' or '('");
        }
        char c = text.charAt(pos);
        if (c == '(') {
            return parseGroup();
        }
        int start = pos;
        String word = readWord();
        if (word.isEmpty()) {
            throw error("unexpected " + describeHere() + "; expected an attribute, 'not' or '('");
        }
        if (word.equalsIgnoreCase("not")) {
            skipWs();
            if (pos < text.length() && text.charAt(pos) == '(') {
                return new Filter.Not(parseGroup());
            }
            throw error("expected '(' after 'not'");
        }
        AttributePath path = attributePath(word, start);
        if (pos < text.length() && text.charAt(pos) == '[') {
            if (inBracket) {
                throw error("value paths cannot be nested");
            }
            if (path.subAttribute() != null) {
                throw errorAt(start, "a value filter must follow a top-level attribute, not '" + word + "'");
            }
            enter();
            pos++;
            inBracket = true;
            Filter inner = parseOr();
            skipWs();
            expect(']');
            inBracket = false;
            depth--;
            if (pos < text.length() && text.charAt(pos) == '.') {
                // Entra ID looks users up by emails[type eq "work"].value eq "x": not in RFC 7644's grammar, but
                // unambiguous: the sub-attribute of an element that matches the value filter.
                pos++;
                int subStart = pos;
                String sub = readWord();
                if (!AttributePath.isAttrName(sub)) {
                    throw errorAt(subStart, "expected a sub-attribute name after '].'");
                }
                Filter condition = comparison(new AttributePath(null, sub, null), sub);
                return new Filter.ValuePath(path, new Filter.And(inner, condition));
            }
            return new Filter.ValuePath(path, inner);
        }
        return comparison(path, word);
    }

    /** The operator and value after an attribute path: {@code pr}, or a comparison operator and a value. */
    private Filter comparison(AttributePath path, String word) {
        if (!skipWs()) {
            if (pos >= text.length()) {
                throw error("unexpected end of filter; expected an operator after '" + word + "'");
            }
            throw error("unexpected " + describeHere() + " after attribute '" + word + "'");
        }
        int opStart = pos;
        String op = readWord();
        if (op.isEmpty()) {
            throw error(
                    pos >= text.length()
                            ? "unexpected end of filter; expected an operator"
                            : "unexpected " + describeHere() + "; expected an operator");
        }
        if (op.equalsIgnoreCase("pr")) {
            return new Filter.Present(path);
        }
        CompareOp compareOp;
        try {
            compareOp = CompareOp.valueOf(op.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw errorAt(opStart, "unknown operator '" + op + "'; expected eq, ne, co, sw, ew, gt, ge, lt, le or pr");
        }
        if (!skipWs()) {
            if (pos < text.length() && text.charAt(pos) == '"') {
                // tolerate userName eq"x"
            } else {
                throw error(
                        pos >= text.length()
                                ? "unexpected end of filter; expected a value after '" + op + "'"
                                : "unexpected " + describeHere() + " after operator '" + op + "'");
            }
        }
        return new Filter.Compare(path, compareOp, readValue());
    }

    private Filter parseGroup() {
        enter();
        pos++; // '('
        Filter f = parseOr();
        skipWs();
        expect(')');
        depth--;
        return f;
    }

    private JsonNode readValue() {
        if (pos >= text.length()) {
            throw error("unexpected end of filter; expected a value");
        }
        if (text.charAt(pos) == '"') {
            return TextNode.valueOf(readString());
        }
        int start = pos;
        String word = readWord();
        if (word.isEmpty()) {
            throw error("unexpected " + describeHere() + "; expected a value");
        }
        switch (word.toLowerCase(Locale.ROOT)) {
            case "true":
                return BooleanNode.TRUE;
            case "false":
                return BooleanNode.FALSE;
            case "null":
                return NullNode.instance;
            default:
                break;
        }
        if (NUMBER.matcher(word).matches()) {
            if (word.indexOf('.') < 0 && word.indexOf('e') < 0 && word.indexOf('E') < 0) {
                BigInteger bi = new BigInteger(word);
                if (bi.bitLength() < 64) {
                    return LongNode.valueOf(bi.longValue());
                }
                return BigIntegerNode.valueOf(bi);
            }
            return DecimalNode.valueOf(new BigDecimal(word));
        }
        throw errorAt(start, "invalid value '" + word + "'; expected a quoted string, a number, true, false or null");
    }

    /** A JSON string (RFC 8259 section 7) starting at the opening quote. */
    private String readString() {
        int start = pos;
        pos++;
        StringBuilder b = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                if (pos >= text.length()) {
                    break;
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"':
                        b.append('"');
                        break;
                    case '\\':
                        b.append('\\');
                        break;
                    case '/':
                        b.append('/');
                        break;
                    case 'b':
                        b.append('\b');
                        break;
                    case 'f':
                        b.append('\f');
                        break;
                    case 'n':
                        b.append('\n');
                        break;
                    case 'r':
                        b.append('\r');
                        break;
                    case 't':
                        b.append('\t');
                        break;
                    case 'u':
                        if (pos + 4 > text.length()) {
                            throw errorAt(pos - 2, "incomplete \\u escape in string");
                        }
                        int cp = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(text.charAt(pos + i), 16);
                            if (d < 0) {
                                throw errorAt(pos - 2, "invalid \\u escape in string");
                            }
                            cp = cp * 16 + d;
                        }
                        pos += 4;
                        b.append((char) cp);
                        break;
                    default:
                        throw errorAt(pos - 2, "invalid escape '\\" + e + "' in string");
                }
            } else if (c < 0x20) {
                throw errorAt(pos - 1, "control character in string; use a JSON escape");
            } else {
                b.append(c);
            }
        }
        throw errorAt(start, "unterminated string");
    }

    // ---------------------------------------------------------------- lexing helpers

    private AttributePath attributePath(String word, int start) {
        AttributePath path;
        try {
            path = AttributePath.parse(word);
        } catch (ScimException e) {
            throw errorAt(start, "invalid attribute path '" + word + "'");
        }
        if (path.attribute() == null) {
            throw errorAt(start, "invalid attribute path '" + word + "'");
        }
        if (inBracket && (path.schemaUrn() != null || path.subAttribute() != null)) {
            throw errorAt(start, "inside a value filter '" + word + "' must be a plain sub-attribute name");
        }
        return path;
    }

    /**
     * Consumes a keyword (case-insensitive) if it is the next word: it must follow whitespace, ')', ']' or a string's
     * closing quote, and end at whitespace or '('.
     */
    private boolean keyword(String kw) {
        int save = pos;
        boolean sawWs = skipWs();
        boolean separated = sawWs || (pos > 0 && ")]\"".indexOf(text.charAt(pos - 1)) >= 0);
        int end = pos + kw.length();
        if (separated
                && text.regionMatches(true, pos, kw, 0, kw.length())
                && end < text.length()
                && (Character.isWhitespace(text.charAt(end)) || text.charAt(end) == '(')) {
            pos = end;
            return true;
        }
        pos = save;
        return false;
    }

    /** Reads a run of characters up to whitespace, a bracket, a parenthesis or a quote. */
    private String readWord() {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '"') {
                break;
            }
            pos++;
        }
        return text.substring(start, pos);
    }

    /** Skips whitespace; true if any was skipped. */
    private boolean skipWs() {
        int start = pos;
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
        return pos > start;
    }

    private void expect(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return;
        }
        throw error((pos >= text.length() ? "unexpected end of filter" : "unexpected " + describeHere())
                + "; expected '" + c + "'");
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("filter nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private String describeHere() {
        if (pos >= text.length()) {
            return "end of filter";
        }
        int end = Math.min(text.length(), pos + 20);
        return "'" + text.substring(pos, end) + (end < text.length() ? "..." : "") + "'";
    }

    private ScimException error(String message) {
        return errorAt(pos, message);
    }

    private ScimException errorAt(int at, String message) {
        return ScimException.invalidFilter("invalid filter at position " + (at + 1) + ": " + message);
    }
}
