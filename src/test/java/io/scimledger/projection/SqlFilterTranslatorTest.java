package io.scimledger.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scimledger.scim.ScimException;
import io.scimledger.scim.filter.FilterParser;
import io.scimledger.scim.schema.AttributePath;
import io.scimledger.scim.schema.ResourceTypeDefinition;
import io.scimledger.scim.schema.ScimSchemas;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlFilterTranslatorTest {

    static final String ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    static final String UID = "2819c223-7f76-453a-919d-413861904646";

    List<Object> params = new ArrayList<>(List.of("tenant-1"));

    String user(String filter) {
        return SqlFilterTranslator.toSql(FilterParser.parse(filter), ScimSchemas.USER_TYPE, params);
    }

    String group(String filter) {
        return SqlFilterTranslator.toSql(FilterParser.parse(filter), ScimSchemas.GROUP_TYPE, params);
    }

    @Test
    void userNameUsesLowerIndexExpression() {
        assertEquals("(lower(r.user_name) = lower($2::text))", user("userName eq \"BJensen\""));
        assertEquals(List.of("tenant-1", "BJensen"), params);
        // case-insensitive attribute and operator spelling give the same SQL
        params = new ArrayList<>(List.of("t"));
        assertEquals("(lower(r.user_name) = lower($2::text))", user("USERNAME EQ \"x\""));
        params = new ArrayList<>(List.of("t"));
        assertEquals(
                "(lower(r.user_name) = lower($2::text))",
                user("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"x\""));
    }

    @Test
    void externalIdIsCaseExactPlainColumn() {
        assertEquals("(r.external_id = $2::text)", user("externalId eq \"Ext-1\""));
        assertEquals("Ext-1", params.get(1));
        assertEquals("(r.external_id = $3::text)", group("externalId eq \"g\""));
    }

    @Test
    void groupDisplayNameUsesLowerColumn() {
        assertEquals("(lower(r.display_name) = lower($2::text))", group("displayName eq \"Admins\""));
    }

    @Test
    void idComparesUuidWithoutCastingColumn() {
        assertEquals("(r.id = $2::uuid)", user("id eq \"" + UID + "\""));
        assertEquals(UUID.fromString(UID), params.get(1));
        assertEquals("FALSE", user("id eq \"not-a-uuid\""));
        assertEquals("(FALSE) IS NOT TRUE", user("id ne \"not-a-uuid\""));
        assertEquals(2, params.size());
        assertThrows(ScimException.class, () -> user("id co \"abc\""));
    }

    @Test
    void activeIsBooleanColumn() {
        assertEquals("(r.active = $2::boolean)", user("active eq true"));
        assertEquals(Boolean.TRUE, params.get(1));
        assertEquals("((r.active = $3::boolean)) IS NOT TRUE", user("active ne false"));
    }

    @Test
    void metaColumns() {
        assertEquals("(r.last_modified > $2::timestamptz)", user("meta.lastModified gt \"2011-05-13T04:42:34Z\""));
        assertEquals(OffsetDateTime.parse("2011-05-13T04:42:34Z"), params.get(1));
        assertEquals("(r.created <= $3::timestamptz)", group("meta.created le \"2011-05-13T04:42:34+02:00\""));
        assertTrue(user("meta.resourceType eq \"User\"").contains("'User'::text = $4::text"));
        assertTrue(user("meta.version eq \"W/\\\"3\\\"\"").contains("r.version::text"));
        assertEquals("W/\"3\"", params.get(params.size() - 1));
        assertEquals("TRUE", user("meta pr"));
        assertThrows(ScimException.class, () -> user("meta.created gt \"yesterday\""));
        assertThrows(ScimException.class, () -> user("meta.created co \"2011\""));
        assertThrows(ScimException.class, () -> user("meta.location eq \"x\""));
    }

    @Test
    void docAttributesHonourCaseExact() {
        assertEquals("(lower((r.doc ->> 'title')) = lower($2::text))", user("title eq \"Boss\""));
        assertEquals(
                "(lower(((r.doc -> 'name') ->> 'familyName')) = lower($3::text))",
                user("name.familyName eq \"O'Malley\""));
        assertEquals("O'Malley", params.get(2));
        // photos.value is a caseExact reference
        assertTrue(user("photos.value eq \"https://x\"").contains("WHERE ((e ->> 'value') = $4::text)"));
    }

    @Test
    void extensionAttributes() {
        assertEquals(
                "(lower(((r.doc -> '" + ENT + "') ->> 'employeeNumber')) = lower($2::text))",
                user(ENT + ":employeeNumber eq \"701984\""));
        assertEquals(
                "(lower((((r.doc -> '" + ENT + "') -> 'manager') ->> 'value')) = lower($3::text))",
                user(ENT + ":manager.value eq \"m\""));
        assertTrue(user(ENT + ":manager[value eq \"m\"]").contains("-> 'manager') ->> 'value'"));
    }

    @Test
    void likeOperatorsEscapeWildcards() {
        assertEquals("(lower(r.user_name) LIKE lower($2::text) ESCAPE '\\')", user("userName co \"a%b_c\\\\d\""));
        assertEquals("%a\\%b\\_c\\\\d%", params.get(1));
        user("userName sw \"x\"");
        assertEquals("x%", params.get(2));
        user("userName ew \"x\"");
        assertEquals("%x", params.get(3));
        assertEquals("(r.external_id LIKE $5::text ESCAPE '\\')", user("externalId sw \"E\""));
    }

    @Test
    void orderingOperators() {
        assertEquals("(lower(r.user_name) >= lower($2::text))", user("userName ge \"m\""));
        assertEquals("(lower((r.doc ->> 'title')) < lower($3::text))", user("title lt \"m\""));
    }

    @Test
    void multiValuedComparesValueInExistsWithArrayGuard() {
        String sql = user("emails eq \"a@b.c\"");
        assertEquals(
                "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof((r.doc -> 'emails')) = 'array' "
                        + "THEN (r.doc -> 'emails') ELSE '[]'::jsonb END) e WHERE (lower((e ->> 'value')) = lower($2::text)))",
                sql);
        assertTrue(user("emails.type eq \"work\"").contains("lower((e ->> 'type')) = lower($3::text)"));
        assertTrue(user("emails.primary eq true").contains("(e -> 'primary') = to_jsonb($4::boolean)"));
    }

    @Test
    void valuePathConditionsApplyToSameElement() {
        String sql = user("emails[type eq \"work\" and value co \"@example.com\"]");
        assertTrue(sql.startsWith("EXISTS (SELECT 1 FROM jsonb_array_elements("), sql);
        assertTrue(
                sql.endsWith(
                        "e WHERE ((lower((e ->> 'type')) = lower($2::text)) AND (lower((e ->> 'value')) LIKE lower($3::text) ESCAPE '\\')))"),
                sql);
        assertEquals(List.of("tenant-1", "work", "%@example.com%"), params);
        assertThrows(ScimException.class, () -> user("emails[nope eq \"x\"]"));
        assertThrows(ScimException.class, () -> user("userName[value eq \"x\"]"));
    }

    @Test
    void singleValuedComplexValuePathQualifiesSubAttributes() {
        assertEquals(
                "((lower(((r.doc -> 'name') ->> 'givenName')) = lower($2::text)) OR "
                        + "(jsonb_typeof(((r.doc -> 'name') -> 'familyName')) NOT IN ('null', 'array', 'object') AND ((r.doc -> 'name') ->> 'familyName') <> ''))",
                user("name[givenName eq \"a\" or familyName pr]"));
    }

    @Test
    void membershipUsesGroupMembershipTable() {
        assertEquals(
                "EXISTS (SELECT 1 FROM group_membership m WHERE m.tenant_id = r.tenant_id AND m.group_id = r.id "
                        + "AND (m.member_id = $2::uuid))",
                group("members.value eq \"" + UID + "\""));
        assertEquals(UUID.fromString(UID), params.get(1));
        assertEquals(
                "EXISTS (SELECT 1 FROM group_membership m WHERE m.tenant_id = r.tenant_id AND m.group_id = r.id "
                        + "AND ((m.member_id = $3::uuid) AND (lower(m.member_type) = lower($4::text))))",
                group("members[value eq \"" + UID + "\" and type eq \"User\"]"));
        assertEquals(
                "EXISTS (SELECT 1 FROM group_membership m WHERE m.tenant_id = r.tenant_id AND m.group_id = r.id)",
                group("members pr"));
        assertTrue(group("members eq \"" + UID + "\"").contains("m.member_id = $5::uuid"));
        assertEquals(
                "EXISTS (SELECT 1 FROM group_membership m WHERE m.tenant_id = r.tenant_id AND m.member_id = r.id "
                        + "AND (m.group_id = $6::uuid))",
                user("groups.value eq \"" + UID + "\""));
        assertTrue(user("groups eq \"bad\"").contains("AND FALSE)"));
        assertThrows(ScimException.class, () -> group("members.display eq \"x\""));
        assertThrows(ScimException.class, () -> user("groups.display eq \"x\""));
        assertThrows(ScimException.class, () -> group("members.value co \"x\""));
    }

    @Test
    void notAndNeAreNullSafe() {
        assertEquals("((lower((r.doc ->> 'title')) = lower($2::text))) IS NOT TRUE", user("not (title eq \"x\")"));
        assertEquals("((lower((r.doc ->> 'title')) = lower($3::text))) IS NOT TRUE", user("title ne \"x\""));
    }

    @Test
    void nullComparisons() {
        assertEquals(
                "((r.doc -> 'title') IS NULL OR jsonb_typeof((r.doc -> 'title')) = 'null')", user("title eq null"));
        assertEquals(
                "(((r.doc -> 'title') IS NULL OR jsonb_typeof((r.doc -> 'title')) = 'null')) IS NOT TRUE",
                user("title ne null"));
        assertEquals(1, params.size());
        assertThrows(ScimException.class, () -> user("title gt null"));
    }

    @Test
    void presence() {
        assertEquals("(r.user_name IS NOT NULL AND r.user_name <> '')", user("userName pr"));
        assertEquals(
                "(jsonb_typeof((r.doc -> 'emails')) = 'array' AND (r.doc -> 'emails') <> '[]'::jsonb)",
                user("emails pr"));
        assertEquals(
                "(jsonb_typeof((r.doc -> 'name')) = 'object' AND (r.doc -> 'name') <> '{}'::jsonb)", user("name pr"));
        assertTrue(user("emails.value pr").startsWith("EXISTS ("));
        assertEquals("(r.active IS NOT NULL)", user("active pr"));
    }

    @Test
    void precedenceIsPreservedInSql() {
        String sql = user("title pr or userType eq \"x\" and nickName eq \"y\"");
        assertTrue(sql.startsWith("((jsonb_typeof((r.doc -> 'title'))"), sql);
        assertTrue(sql.contains(" OR ((lower((r.doc ->> 'userType')) = lower($2::text)) AND "), sql);
    }

    @Test
    void valuesNeverAppearInSql() {
        String evil = "x'); DROP TABLE scim_user; --";
        String filter = "userName eq \"" + evil + "\" or title co \"" + evil + "\" or emails[value sw \"" + evil
                + "\"] or " + ENT + ":manager.value ew \"" + evil + "\" or externalId gt \"" + evil + "\"";
        String sql = user(filter);
        assertFalse(sql.contains("DROP"), sql);
        assertFalse(sql.contains(evil), sql);
        for (int i = 2; i <= params.size(); i++) {
            assertTrue(sql.contains("$" + i + "::"), "placeholder $" + i);
        }
        assertEquals(6, params.size());
    }

    @Test
    void valueTypeMustMatchAttributeType() {
        assertThrows(ScimException.class, () -> user("title eq 42"));
        assertThrows(ScimException.class, () -> user("title eq true"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "nope eq \"x\"",
                "password eq \"x\"",
                "name eq \"x\"",
                "addresses eq \"x\"",
                "active gt true",
                "active co \"t\"",
                "active eq \"true\"",
                "userName eq 1",
                "name.nope eq \"x\"",
                "userName.x eq \"x\"",
                "urn:foo:bar:x eq \"y\"",
                ENT + ":nope eq \"x\"",
                "emails[type eq \"x\" and nope pr]",
                "x509Certificates co \"a\"",
                "meta.created eq 5",
                "id gt \"" + UID + "\"",
                "emails co 1",
                "displayName eq \"x\" and members pr"
            })
    void userTranslationErrorsAreInvalidFilter(String filter) {
        ScimException e = assertThrows(ScimException.class, () -> user(filter));
        assertEquals("invalidFilter", e.scimType(), e.detail());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"userName eq \"x\"", "active eq true", "groups pr", "emails pr", ENT + ":employeeNumber pr"})
    void groupRejectsUserAttributes(String filter) {
        assertEquals(
                "invalidFilter",
                assertThrows(ScimException.class, () -> group(filter)).scimType());
    }

    @Test
    void orderBy() {
        ResourceTypeDefinition u = ScimSchemas.USER_TYPE;
        assertEquals("r.created, r.id", SqlFilterTranslator.orderBy(null, u, false));
        assertEquals(
                "lower(r.user_name) ASC NULLS LAST, r.id",
                SqlFilterTranslator.orderBy(AttributePath.parse("userName"), u, false));
        assertEquals(
                "lower(r.user_name) DESC NULLS FIRST, r.id",
                SqlFilterTranslator.orderBy(AttributePath.parse("USERNAME"), u, true));
        assertEquals(
                "r.last_modified ASC NULLS LAST, r.id",
                SqlFilterTranslator.orderBy(AttributePath.parse("meta.lastModified"), u, false));
        assertEquals(
                "r.external_id ASC NULLS LAST, r.id",
                SqlFilterTranslator.orderBy(AttributePath.parse("externalId"), u, false));
        assertEquals("r.id DESC", SqlFilterTranslator.orderBy(AttributePath.parse("id"), u, true));
        assertEquals(
                "lower(((r.doc -> 'name') ->> 'familyName')) ASC NULLS LAST, r.id",
                SqlFilterTranslator.orderBy(AttributePath.parse("name.familyName"), u, false));
        assertTrue(SqlFilterTranslator.orderBy(AttributePath.parse("emails"), u, false)
                .contains("e -> 'primary' = 'true'::jsonb"));
        assertEquals(
                "lower(r.display_name) ASC NULLS LAST, r.id",
                SqlFilterTranslator.orderBy(AttributePath.parse("displayName"), ScimSchemas.GROUP_TYPE, false));
        for (String bad : new String[] {"nope", "name", "groups", "password", "meta.location"}) {
            assertEquals(
                    "invalidFilter",
                    assertThrows(
                                    ScimException.class,
                                    () -> SqlFilterTranslator.orderBy(AttributePath.parse(bad), u, false))
                            .scimType(),
                    bad);
        }
    }
}
