package io.scimledger.scim.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributePath;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FilterParserTest {

    static final String ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    static AttributePath p(String s) {
        return AttributePath.parse(s);
    }

    static Filter.Compare eq(String path, String value) {
        return cmp(path, CompareOp.EQ, value);
    }

    static Filter.Compare cmp(String path, CompareOp op, String value) {
        return new Filter.Compare(p(path), op, TextNode.valueOf(value));
    }

    static Filter.Present pr(String path) {
        return new Filter.Present(p(path));
    }

    @Test
    void simpleEq() {
        assertEquals(eq("userName", "bjensen"), FilterParser.parse("userName eq \"bjensen\""));
    }

    @Test
    void allOperatorsCaseInsensitive() {
        for (CompareOp op : CompareOp.values()) {
            String word = op.name().toLowerCase();
            assertEquals(
                    new Filter.Compare(p("title"), op, TextNode.valueOf("x")),
                    FilterParser.parse("title " + word + " \"x\""));
            assertEquals(
                    new Filter.Compare(p("title"), op, TextNode.valueOf("x")),
                    FilterParser.parse("title " + op.name() + " \"x\""));
        }
        assertEquals(new Filter.Present(p("title")), FilterParser.parse("title PR"));
        assertEquals(new Filter.Present(p("title")), FilterParser.parse("  title pr  "));
    }

    @Test
    void attributeNamesKeptAsWritten() {
        Filter f = FilterParser.parse("USERNAME Eq \"x\"");
        assertEquals(eq("USERNAME", "x"), f);
    }

    @Test
    void values() {
        assertEquals(BooleanNode.TRUE, ((Filter.Compare) FilterParser.parse("active eq true")).value());
        assertEquals(BooleanNode.FALSE, ((Filter.Compare) FilterParser.parse("active eq FALSE")).value());
        assertEquals(NullNode.instance, ((Filter.Compare) FilterParser.parse("title eq null")).value());
        assertEquals(LongNode.valueOf(42), ((Filter.Compare) FilterParser.parse("x eq 42")).value());
        assertEquals(LongNode.valueOf(-7), ((Filter.Compare) FilterParser.parse("x eq -7")).value());
        assertEquals(
                DecimalNode.valueOf(new BigDecimal("1.5e3")),
                ((Filter.Compare) FilterParser.parse("x gt 1.5e3")).value());
        assertTrue(((Filter.Compare) FilterParser.parse("x eq 123456789012345678901234"))
                .value()
                .isBigInteger());
    }

    @Test
    void jsonStringEscapes() {
        Filter f = FilterParser.parse("title eq \"a\\\"b\\\\c\\/d\\n\\u00e9 (x) [y] and or\"");
        assertEquals(eq("title", "a\"b\\c/d\n\u00e9 (x) [y] and or"), f);
        assertEquals(eq("title", ""), FilterParser.parse("title eq \"\""));
    }

    @Test
    void precedenceAndBindsTighterThanOr() {
        Filter f = FilterParser.parse("a pr or b pr and c pr");
        assertEquals(
                new Filter.Or(
                        new Filter.Present(p("a")),
                        new Filter.And(new Filter.Present(p("b")), new Filter.Present(p("c")))),
                f);
        f = FilterParser.parse("a pr and b pr or c pr");
        assertEquals(
                new Filter.Or(
                        new Filter.And(new Filter.Present(p("a")), new Filter.Present(p("b"))),
                        new Filter.Present(p("c"))),
                f);
    }

    @Test
    void leftAssociative() {
        Filter f = FilterParser.parse("a pr and b pr and c pr");
        assertEquals(
                new Filter.And(
                        new Filter.And(new Filter.Present(p("a")), new Filter.Present(p("b"))),
                        new Filter.Present(p("c"))),
                f);
    }

    @Test
    void parenthesesOverridePrecedence() {
        Filter f = FilterParser.parse("(a pr or b pr) and c pr");
        assertEquals(
                new Filter.And(
                        new Filter.Or(new Filter.Present(p("a")), new Filter.Present(p("b"))),
                        new Filter.Present(p("c"))),
                f);
        assertEquals(new Filter.Present(p("a")), FilterParser.parse("((a pr))"));
        assertEquals(
                new Filter.And(new Filter.Present(p("a")), new Filter.Present(p("b"))),
                FilterParser.parse("(a pr)and(b pr)"));
    }

    @Test
    void notBindsTightest() {
        Filter f = FilterParser.parse("not (a pr) and b pr");
        assertEquals(new Filter.And(new Filter.Not(new Filter.Present(p("a"))), new Filter.Present(p("b"))), f);
        assertEquals(new Filter.Not(new Filter.Present(p("a"))), FilterParser.parse("NOT(a pr)"));
        assertEquals(
                new Filter.Not(new Filter.Not(new Filter.Present(p("a")))), FilterParser.parse("not (not (a pr))"));
    }

    @Test
    void rfcExamples() {
        // RFC 7644 3.4.2.2's example filters, each with the tree it must parse to
        String core = "urn:ietf:params:scim:schemas:core:2.0:User";
        assertEquals(eq("userName", "john"), FilterParser.parse("userName Eq \"john\""));
        assertEquals(
                cmp("name.familyName", CompareOp.CO, "O'Malley"),
                FilterParser.parse("name.familyName co \"O'Malley\""));
        assertEquals(
                new Filter.Compare(
                        new AttributePath(core, "name", "familyName"), CompareOp.CO, TextNode.valueOf("O'Malley")),
                FilterParser.parse(core + ":name.familyName co \"O'Malley\""));
        assertEquals(cmp("userName", CompareOp.SW, "J"), FilterParser.parse("userName sw \"J\""));
        assertEquals(pr("title"), FilterParser.parse("title pr"));
        assertEquals(
                cmp("meta.lastModified", CompareOp.GT, "2011-05-13T04:42:34Z"),
                FilterParser.parse("meta.lastModified gt \"2011-05-13T04:42:34Z\""));
        assertEquals(
                new Filter.And(pr("title"), eq("userType", "Employee")),
                FilterParser.parse("title pr and userType eq \"Employee\""));
        assertEquals(
                new Filter.Or(pr("title"), eq("userType", "Intern")),
                FilterParser.parse("title pr or userType eq \"Intern\""));
        assertEquals(eq("schemas", ENT), FilterParser.parse("schemas eq \"" + ENT + "\""));
        Filter emailsCoEither = new Filter.Or(
                cmp("emails", CompareOp.CO, "example.com"), cmp("emails.value", CompareOp.CO, "example.org"));
        assertEquals(
                new Filter.And(eq("userType", "Employee"), emailsCoEither),
                FilterParser.parse(
                        "userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\")"));
        assertEquals(
                new Filter.And(cmp("userType", CompareOp.NE, "Employee"), new Filter.Not(emailsCoEither)),
                FilterParser.parse("userType ne \"Employee\" and not (emails co \"example.com\" or "
                        + "emails.value co \"example.org\")"));
        assertEquals(
                new Filter.And(eq("userType", "Employee"), eq("emails.type", "work")),
                FilterParser.parse("userType eq \"Employee\" and (emails.type eq \"work\")"));
        Filter workAtExampleCom = new Filter.ValuePath(
                p("emails"), new Filter.And(eq("type", "work"), cmp("value", CompareOp.CO, "@example.com")));
        assertEquals(
                new Filter.And(eq("userType", "Employee"), workAtExampleCom),
                FilterParser.parse(
                        "userType eq \"Employee\" and emails[type eq \"work\" and value co \"@example.com\"]"));
        assertEquals(
                new Filter.Or(
                        workAtExampleCom,
                        new Filter.ValuePath(
                                p("ims"), new Filter.And(eq("type", "xmpp"), cmp("value", CompareOp.CO, "@foo.com")))),
                FilterParser.parse("emails[type eq \"work\" and value co \"@example.com\"] or "
                        + "ims[type eq \"xmpp\" and value co \"@foo.com\"]"));
    }

    @Test
    void valuePath() {
        Filter f = FilterParser.parse("emails[type eq \"work\" and not (value ew \".org\")]");
        Filter.ValuePath vp = assertInstanceOf(Filter.ValuePath.class, f);
        assertEquals(new AttributePath(null, "emails", null), vp.path());
        assertEquals(
                new Filter.And(
                        eq("type", "work"),
                        new Filter.Not(new Filter.Compare(p("value"), CompareOp.EW, TextNode.valueOf(".org")))),
                vp.inner());
        assertEquals(
                new Filter.ValuePath(
                        p("emails"),
                        new Filter.Or(
                                eq("type", "work"), new Filter.Compare(p("primary"), CompareOp.EQ, BooleanNode.TRUE))),
                FilterParser.parse("emails[type eq \"work\" or primary eq true]"));
        assertEquals(
                new Filter.ValuePath(new AttributePath(ENT, "manager", null), eq("value", "x")),
                FilterParser.parse(ENT + ":manager[value eq \"x\"]"));
    }

    @Test
    void urnAttributes() {
        Filter.Compare c = (Filter.Compare) FilterParser.parse(ENT + ":employeeNumber eq \"701984\"");
        assertEquals(new AttributePath(ENT, "employeeNumber", null), c.path());
        c = (Filter.Compare) FilterParser.parse(ENT + ":manager.value eq \"26118915\"");
        assertEquals(new AttributePath(ENT, "manager", "value"), c.path());
        c = (Filter.Compare) FilterParser.parse("meta.lastModified ge \"2011-05-13T04:42:34Z\"");
        assertEquals(new AttributePath(null, "meta", "lastModified"), c.path());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "userName eq",
                "userName eq ",
                "userName",
                "userName zz \"x\"",
                "userName eq bjensen",
                "userName eq 'x'",
                "userName eq \"x",
                "userName eq \"x\" junk",
                "userName eq \"x\" and",
                "userName eq \"x\" or ",
                "and userName eq \"x\"",
                "(userName eq \"x\"",
                "userName eq \"x\")",
                "((userName eq \"x\")",
                "()",
                "not userName eq \"x\"",
                "not",
                "emails[type eq \"work\"",
                "emails[type eq \"work\"]]",
                "emails[]",
                "emails[type[value eq \"x\"]]",
                "emails[urn:foo:bar:type eq \"x\"]",
                "emails[type.value eq \"x\"]",
                "name.givenName[value eq \"x\"]",
                "name.given.name eq \"x\"",
                "1abc eq \"x\"",
                "user name eq \"x\"",
                "userName eq \"x\" \"y\"",
                "userName eq 01",
                "userName eq 1.",
                "userName eq tru",
                "userName eq \"bad \\q escape\"",
                "userName eq \"bad \\u12 escape\"",
                "userName eq \"tab\there\"",
                "userName pr \"x\"",
                "userName eq \"x\" andtitle pr",
                "[type eq \"x\"]",
                "urn:ietf:params:scim:schemas:core:2.0:User: eq \"x\"",
            })
    void rejectsJunk(String text) {
        ScimException e = assertThrows(ScimException.class, () -> FilterParser.parse(text));
        assertEquals("invalidFilter", e.scimType());
        assertEquals(400, e.status());
    }

    @Test
    void errorNamesPosition() {
        ScimException e = assertThrows(ScimException.class, () -> FilterParser.parse("userName zz \"x\""));
        assertTrue(e.detail().contains("position 10"), e.detail());
        assertTrue(e.detail().contains("zz"), e.detail());
        e = assertThrows(ScimException.class, () -> FilterParser.parse("(a pr"));
        assertTrue(e.detail().contains("')'"), e.detail());
    }

    @Test
    void nullRejected() {
        assertEquals(
                "invalidFilter",
                assertThrows(ScimException.class, () -> FilterParser.parse(null))
                        .scimType());
    }

    @Test
    void lengthBound() {
        String longValue = "x".repeat(FilterParser.MAX_LENGTH);
        ScimException e = assertThrows(ScimException.class, () -> FilterParser.parse("title eq \"" + longValue + "\""));
        assertEquals("invalidFilter", e.scimType());
    }

    @Test
    void depthBound() {
        String ok = "(".repeat(FilterParser.MAX_DEPTH) + "a pr" + ")".repeat(FilterParser.MAX_DEPTH);
        assertEquals(pr("a"), FilterParser.parse(ok), "parentheses leave no trace in the tree");
        String tooDeep = "(".repeat(FilterParser.MAX_DEPTH + 1) + "a pr" + ")".repeat(FilterParser.MAX_DEPTH + 1);
        assertEquals(
                "invalidFilter",
                assertThrows(ScimException.class, () -> FilterParser.parse(tooDeep))
                        .scimType());
        String nots = "not (".repeat(FilterParser.MAX_DEPTH + 1) + "a pr" + ")".repeat(FilterParser.MAX_DEPTH + 1);
        assertEquals(
                "invalidFilter",
                assertThrows(ScimException.class, () -> FilterParser.parse(nots))
                        .scimType());
    }

    @Test
    void longFlatChainIsFine() {
        String chain = String.join(" and ", java.util.Collections.nCopies(300, "a pr"));
        Filter expected = pr("a");
        for (int i = 1; i < 300; i++) {
            expected = new Filter.And(expected, pr("a")); // left-associative, as in leftAssociative()
        }
        assertEquals(expected, FilterParser.parse(chain));
    }

    // ------------------------------------------------------------------ PATCH paths

    @Test
    void patchPlainAttribute() {
        assertEquals(
                new PatchPath(new AttributePath(null, "name", "givenName"), null, null),
                FilterParser.parsePatchPath("name.givenName"));
        assertEquals(
                new PatchPath(new AttributePath(null, "members", null), null, null),
                FilterParser.parsePatchPath("members"));
    }

    @Test
    void patchValueFilter() {
        PatchPath pp = FilterParser.parsePatchPath("members[value eq \"2819c223-7f76-453a-919d-413861904646\"]");
        assertEquals(new AttributePath(null, "members", null), pp.attribute());
        assertEquals(eq("value", "2819c223-7f76-453a-919d-413861904646"), pp.valueFilter());
        assertNull(pp.subAttribute());
    }

    @Test
    void patchValueFilterWithSubAttribute() {
        PatchPath pp = FilterParser.parsePatchPath("emails[type eq \"work\"].value");
        assertEquals(new AttributePath(null, "emails", null), pp.attribute());
        assertEquals(eq("type", "work"), pp.valueFilter());
        assertEquals("value", pp.subAttribute());
        pp = FilterParser.parsePatchPath(
                "addresses[type eq \"work\" and (primary eq true or not (region pr))].streetAddress");
        assertEquals(
                new PatchPath(
                        p("addresses"),
                        new Filter.And(
                                eq("type", "work"),
                                new Filter.Or(
                                        new Filter.Compare(p("primary"), CompareOp.EQ, BooleanNode.TRUE),
                                        new Filter.Not(pr("region")))),
                        "streetAddress"),
                pp);
        pp = FilterParser.parsePatchPath("emails[value eq \"a]b\"]");
        assertEquals(eq("value", "a]b"), pp.valueFilter());
    }

    @Test
    void patchUrnPaths() {
        assertEquals(
                new PatchPath(new AttributePath(ENT, "manager", null), null, null),
                FilterParser.parsePatchPath(ENT + ":manager"));
        assertEquals(
                new PatchPath(new AttributePath(ENT, "manager", "value"), null, null),
                FilterParser.parsePatchPath(ENT + ":manager.value"));
        PatchPath bare = FilterParser.parsePatchPath(ENT);
        assertEquals(ENT, bare.attribute().schemaUrn());
        assertNull(bare.attribute().attribute());
        PatchPath vp = FilterParser.parsePatchPath(
                "urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq \"work\"].value");
        assertEquals(
                new PatchPath(
                        new AttributePath("urn:ietf:params:scim:schemas:core:2.0:User", "emails", null),
                        eq("type", "work"),
                        "value"),
                vp);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "emails[",
                "emails[type eq \"work\"",
                "emails[type eq \"work\"]value",
                "emails[type eq \"work\"].",
                "emails[type eq \"work\"].value.x",
                "emails[type zz \"work\"]",
                "name.givenName[value eq \"x\"]",
                "emails[type eq \"work\"][value eq \"x\"]",
                "emails[]",
                "1emails",
                "a.b.c",
                "[type eq \"x\"]",
                "emails[type eq \"work\"] .value",
                "emails[type eq \"work\"].value junk"
            })
    void patchRejectsJunk(String text) {
        ScimException e = assertThrows(ScimException.class, () -> FilterParser.parsePatchPath(text));
        assertEquals("invalidPath", e.scimType());
    }

    @Test
    void entraSubAttributeAfterAValuePathMeansThatElementsSubAttribute() {
        // docs/compatibility.md, Entra 10: emails[type eq "work"].value eq "x" (outside RFC 7644's grammar, tolerated)
        assertEquals(
                new Filter.ValuePath(p("emails"), new Filter.And(eq("type", "work"), eq("value", "x"))),
                FilterParser.parse("emails[type eq \"work\"].value eq \"x\""));
        assertEquals(
                "invalidFilter",
                assertThrows(ScimException.class, () -> FilterParser.parse("emails[type eq \"work\"]. eq \"x\""))
                        .scimType());
        assertEquals(
                "invalidFilter",
                assertThrows(ScimException.class, () -> FilterParser.parse("emails[type eq \"work\"].value"))
                        .scimType());
    }
}
