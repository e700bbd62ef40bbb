package io.scimledger.scim.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.AttributeDefinition;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.AttributeType;
import io.scimledger.scim.schema.ScimSchemas;
import org.junit.jupiter.api.Test;

class FilterEvaluatorTest {

    static final ObjectMapper M = new ObjectMapper();
    static final AttributeDefinition EMAILS =
            ScimSchemas.USER_TYPE.resolve(AttributePath.parse("emails")).attribute();
    static final AttributeDefinition MEMBERS =
            ScimSchemas.GROUP_TYPE.resolve(AttributePath.parse("members")).attribute();
    static final AttributeDefinition PHOTOS =
            ScimSchemas.USER_TYPE.resolve(AttributePath.parse("photos")).attribute();
    static final AttributeDefinition TYPED = AttributeDefinition.builder("things", AttributeType.COMPLEX)
            .multiValued()
            .subAttributes(
                    AttributeDefinition.builder("n", AttributeType.INTEGER).build(),
                    AttributeDefinition.builder("d", AttributeType.DECIMAL).build(),
                    AttributeDefinition.builder("at", AttributeType.DATE_TIME).build())
            .build();

    static JsonNode json(String s) {
        try {
            return M.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean m(String valueFilter, String element, AttributeDefinition def) {
        PatchPath pp = FilterParser.parsePatchPath(def.name() + "[" + valueFilter + "]");
        return FilterEvaluator.matches(pp.valueFilter(), json(element), def);
    }

    static final String WORK = "{\"value\":\"Bob@Example.com\",\"type\":\"work\",\"primary\":true}";
    static final String HOME = "{\"value\":\"bob@home.org\",\"type\":\"home\"}";

    @Test
    void eqIsCaseInsensitiveUnlessCaseExact() {
        assertTrue(m("type eq \"WORK\"", WORK, EMAILS));
        assertFalse(m("type eq \"work\"", HOME, EMAILS));
        assertTrue(m("value eq \"https://x/A.png\"", "{\"value\":\"https://x/A.png\"}", PHOTOS));
        assertFalse(m("value eq \"https://x/a.png\"", "{\"value\":\"https://x/A.png\"}", PHOTOS));
        assertTrue(m("TYPE eq \"work\"", "{\"Type\":\"work\"}", EMAILS));
    }

    @Test
    void stringOperators() {
        assertTrue(m("value co \"@example\"", WORK, EMAILS));
        assertTrue(m("value sw \"BOB\"", WORK, EMAILS));
        assertTrue(m("value ew \".COM\"", WORK, EMAILS));
        assertFalse(m("value ew \".org\"", WORK, EMAILS));
        assertTrue(m("value gt \"a\"", WORK, EMAILS));
        assertTrue(m("value lt \"c\"", WORK, EMAILS));
        assertTrue(m("value ge \"bob@example.com\" and value le \"bob@example.com\"", WORK, EMAILS));
    }

    @Test
    void logic() {
        assertTrue(m("type eq \"work\" and primary eq true", WORK, EMAILS));
        assertFalse(m("type eq \"work\" and primary eq false", WORK, EMAILS));
        assertTrue(m("type eq \"x\" or primary eq true", WORK, EMAILS));
        assertTrue(m("not (type eq \"work\")", HOME, EMAILS));
        assertFalse(m("not (type eq \"work\" or type eq \"home\")", HOME, EMAILS));
    }

    @Test
    void absentAndNull() {
        assertFalse(m("primary eq true", HOME, EMAILS));
        assertTrue(m("primary ne true", HOME, EMAILS));
        assertTrue(m("primary eq null", HOME, EMAILS));
        assertFalse(m("primary ne null", HOME, EMAILS));
        assertTrue(m("display eq null", "{\"display\":null}", EMAILS));
        assertFalse(m("type pr", "{\"type\":\"\"}", EMAILS));
        assertFalse(m("display pr", HOME, EMAILS));
        assertTrue(m("value pr", HOME, EMAILS));
        assertFalse(m("value gt \"a\"", "{}", EMAILS));
    }

    @Test
    void members() {
        String el = "{\"value\":\"2819c223-7f76-453a-919d-413861904646\",\"type\":\"User\"}";
        assertTrue(m("value eq \"2819c223-7f76-453a-919d-413861904646\"", el, MEMBERS));
        assertFalse(m("value eq \"other\"", el, MEMBERS));
    }

    @Test
    void numbersAndDates() {
        String el = "{\"n\":5,\"d\":2.50,\"at\":\"2011-05-13T04:42:34Z\"}";
        assertTrue(m("n eq 5 and n gt 4 and n le 5", el, TYPED));
        assertTrue(m("d eq 2.5 and d lt 3", el, TYPED));
        assertTrue(m("d gt 2", el, TYPED));
        assertTrue(m("at eq \"2011-05-13T06:42:34+02:00\"", el, TYPED));
        assertTrue(m("at gt \"2011-05-13T04:42:33Z\" and at lt \"2012-01-01T00:00:00\"", el, TYPED));
        assertFalse(m("at gt \"2011-05-13T04:42:34Z\"", el, TYPED));
        assertThrows(ScimException.class, () -> m("n eq 1.5", el, TYPED));
        assertThrows(ScimException.class, () -> m("n co 1", el, TYPED));
        assertThrows(ScimException.class, () -> m("at eq \"not a date\"", el, TYPED));
        assertThrows(ScimException.class, () -> m("at eq 5", el, TYPED));
    }

    @Test
    void typeAndNameErrors() {
        for (String bad : new String[] {
            "nope eq \"x\"", "primary gt true", "primary eq \"true\"", "primary co \"t\"", "value eq 5", "type gt null"
        }) {
            ScimException e = assertThrows(ScimException.class, () -> m(bad, WORK, EMAILS), bad);
            assertEquals("invalidFilter", e.scimType());
        }
        Filter nested = FilterParser.parse("emails[type eq \"work\"]");
        assertThrows(ScimException.class, () -> FilterEvaluator.matches(nested, json(WORK), EMAILS));
        Filter urn = FilterParser.parse("name.givenName eq \"x\"");
        assertThrows(ScimException.class, () -> FilterEvaluator.matches(urn, json(WORK), EMAILS));
    }

    @Test
    void multiValuedSimpleElementIsValue() {
        AttributeDefinition tags = AttributeDefinition.builder("tags", AttributeType.STRING)
                .multiValued()
                .build();
        Filter f = FilterParser.parse("value eq \"A\"");
        assertTrue(FilterEvaluator.matches(f, json("\"a\""), tags));
        assertFalse(FilterEvaluator.matches(f, json("\"b\""), tags));
    }
}
