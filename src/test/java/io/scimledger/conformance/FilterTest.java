package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static io.scimledger.conformance.Conf.userNames;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 7644 section 3.4.2.2: filters through HTTP. UsersApiTest covers userName eq (case-insensitive), externalId
 * eq (case-exact) and "userName eq" being invalidFilter; DiscoveryTest covers enterprise employeeNumber eq.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class FilterTest {

    String t;

    /** Four users: alpha, Beta, gamma, delta (each in its own tenant per test). */
    @BeforeEach
    void people() {
        t = Conf.tenant("filter");
        Conf.createUser(t, """
                {"schemas":["%s","%s"],"userName":"alpha","title":"Engineer","active":true,
                 "name":{"givenName":"Al","familyName":"Smith"},
                 "emails":[{"value":"alpha@example.com","type":"work","primary":true},{"value":"alpha@home.org","type":"home"}],
                 "%s":{"employeeNumber":"100","department":"R&D"}}""".formatted(Conf.USER, Conf.ENTERPRISE, Conf.ENTERPRISE));
        Conf.createUser(t, """
                {"schemas":["%s","%s"],"userName":"Beta","title":"Manager","active":false,
                 "name":{"givenName":"Be","familyName":"Jones"},
                 "emails":[{"value":"beta@home.org","type":"home"},{"value":"beta@corp.net","type":"work"}],
                 "%s":{"employeeNumber":"200","department":"Sales"}}""".formatted(Conf.USER, Conf.ENTERPRISE, Conf.ENTERPRISE));
        Conf.createUser(t, """
                {"userName":"gamma","title":"Engineer","name":{"givenName":"Ga","familyName":"Smithson"},
                 "emails":[{"value":"gamma@example.com","type":"home"}]}""");
        Conf.createUser(t, "{\"userName\":\"delta\",\"name\":{\"familyName\":\"Smith\"}}");
    }

    @Test
    void rfc7644_3_4_2_2_attributeOperators() {
        assertThat(userNames(t, "userName ne \"alpha\""), containsInAnyOrder("Beta", "gamma", "delta"));
        assertThat(userNames(t, "userName co \"amm\""), containsInAnyOrder("gamma"));
        assertThat(userNames(t, "userName sw \"DE\""), containsInAnyOrder("delta"));
        assertThat(userNames(t, "userName ew \"TA\""), containsInAnyOrder("Beta", "delta"));
        assertThat(userNames(t, "title pr"), containsInAnyOrder("alpha", "Beta", "gamma"));
        assertThat(userNames(t, "userName gt \"beta\""), containsInAnyOrder("delta", "gamma"));
        assertThat(userNames(t, "userName ge \"beta\""), containsInAnyOrder("Beta", "delta", "gamma"));
        assertThat(userNames(t, "userName lt \"beta\""), containsInAnyOrder("alpha"));
        assertThat(userNames(t, "userName le \"beta\""), containsInAnyOrder("alpha", "Beta"));
        assertThat(userNames(t, "active eq false"), containsInAnyOrder("Beta"));
        // title is caseExact=false: co is case-insensitive too
        assertThat(userNames(t, "title co \"ENGIN\""), containsInAnyOrder("alpha", "gamma"));
    }

    @Test
    void rfc7644_3_4_2_2_logicalOperatorsAndGrouping() {
        assertThat(userNames(t, "title eq \"Engineer\" and name.familyName eq \"Smith\""), containsInAnyOrder("alpha"));
        assertThat(
                userNames(t, "userName eq \"alpha\" or userName eq \"delta\""), containsInAnyOrder("alpha", "delta"));
        assertThat(userNames(t, "not (userName sw \"a\")"), containsInAnyOrder("Beta", "gamma", "delta"));
        // precedence: and binds tighter than or
        assertThat(
                userNames(t, "userName eq \"delta\" or title eq \"Engineer\" and userName eq \"gamma\""),
                containsInAnyOrder("delta", "gamma"));
        // parentheses override it
        assertThat(
                userNames(t, "(userName eq \"delta\" or title eq \"Engineer\") and userName eq \"gamma\""),
                containsInAnyOrder("gamma"));
        assertThat(userNames(t, "((userName eq \"alpha\")) and not (active eq false)"), containsInAnyOrder("alpha"));
    }

    @Test
    void rfc7644_3_4_2_2_valuePathsAndSubAttributes() {
        assertThat(userNames(t, "emails[type eq \"work\" and value co \"@example.com\"]"), containsInAnyOrder("alpha"));
        // the two conditions must hold for the same element: gamma has @example.com but as home
        assertThat(userNames(t, "emails[type eq \"home\" and value co \"@example.com\"]"), containsInAnyOrder("gamma"));
        assertThat(userNames(t, "emails[type eq \"work\"]"), containsInAnyOrder("alpha", "Beta"));
        assertThat(userNames(t, "name.familyName eq \"smith\""), containsInAnyOrder("alpha", "delta"));
        assertThat(userNames(t, "name.familyName sw \"Smith\""), containsInAnyOrder("alpha", "gamma", "delta"));
        assertThat(userNames(t, "emails.value ew \".org\""), containsInAnyOrder("alpha", "Beta"));
        assertThat(userNames(t, "emails.type eq \"work\" and emails.value co \"corp\""), containsInAnyOrder("Beta"));
        assertThat(userNames(t, "emails pr"), containsInAnyOrder("alpha", "Beta", "gamma"));
    }

    @Test
    void rfc7644_3_4_2_2_metaLastModifiedComparison() {
        String lastOfSetup = Conf.userFilter(t, "userName eq \"delta\"").getString("Resources[0].meta.lastModified");
        // The log times events to the microsecond (HashChain.eventTime): epsilon is later than delta once this
        // clock, at that resolution, has passed delta's time, which a read after delta's write normally already has.
        Instant deltaTime = Instant.parse(lastOfSetup);
        await("the clock passes delta's lastModified")
                .atMost(Duration.ofSeconds(5))
                .pollDelay(Duration.ZERO)
                .until(() -> Instant.now().truncatedTo(ChronoUnit.MICROS).isAfter(deltaTime));
        Scim.createUser(t, "epsilon");
        assertThat(userNames(t, "meta.lastModified gt \"" + lastOfSetup + "\""), containsInAnyOrder("epsilon"));
        assertThat(
                userNames(t, "meta.lastModified le \"" + lastOfSetup + "\""),
                containsInAnyOrder("alpha", "Beta", "gamma", "delta"));
        assertThat(userNames(t, "meta.created pr"), hasItem("epsilon"));
    }

    @Test
    void rfc7644_3_4_2_2_urnQualifiedAttributes() {
        String en = Conf.ENTERPRISE + ":";
        assertThat(userNames(t, en + "employeeNumber gt \"150\""), containsInAnyOrder("Beta"));
        assertThat(
                userNames(t, en + "department eq \"r&d\" or " + en + "department eq \"Sales\""),
                containsInAnyOrder("alpha", "Beta"));
        assertThat(userNames(t, en + "employeeNumber pr"), containsInAnyOrder("alpha", "Beta"));
        // core attributes may be URN-qualified too
        assertThat(userNames(t, Conf.USER + ":userName eq \"gamma\""), containsInAnyOrder("gamma"));
        assertThat(userNames(t, Conf.USER + ":name.familyName eq \"Jones\""), containsInAnyOrder("Beta"));
    }

    @Test
    void rfc7644_3_4_2_2_caseInsensitiveAttributeNamesAndOperators() {
        assertThat(userNames(t, "USERNAME EQ \"ALPHA\""), containsInAnyOrder("alpha"));
        assertThat(userNames(t, "Name.FamilyName Sw \"smiths\""), containsInAnyOrder("gamma"));
        assertThat(userNames(t, "Emails[Type Eq \"work\" AND Value Co \"corp\"]"), containsInAnyOrder("Beta"));
        assertThat(userNames(t, "title PR And NOT (Active Eq False)"), containsInAnyOrder("alpha", "gamma"));
        assertThat(
                userNames(t, Conf.ENTERPRISE.toUpperCase() + ":EMPLOYEENUMBER eq \"100\""),
                containsInAnyOrder("alpha"));
    }

    @Test
    void rfc7644_3_4_2_2_userNameCaseInsensitiveExternalIdCaseExact() {
        String x = Conf.tenant("filter-case");
        Conf.createUser(x, "{\"userName\":\"Case.User\",\"externalId\":\"AbC-1\"}");
        assertThat(userNames(x, "userName sw \"case.\""), containsInAnyOrder("Case.User"));
        assertThat(userNames(x, "userName co \"SE.US\""), containsInAnyOrder("Case.User"));
        assertThat(userNames(x, "externalId eq \"AbC-1\""), containsInAnyOrder("Case.User"));
        assertThat(userNames(x, "externalId sw \"abc\""), empty());
        assertThat(userNames(x, "externalId co \"bC\""), containsInAnyOrder("Case.User"));
    }

    @Test
    void rfc7644_3_4_2_2_membershipFilters() {
        String x = Conf.tenant("filter-member");
        String u1 = Scim.createUser(x, "m1");
        String u2 = Scim.createUser(x, "m2");
        Scim.createUser(x, "loner");
        String g = idp(x).body("{\"displayName\":\"Team\",\"members\":[{\"value\":\"" + u1 + "\"}]}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String g2 = idp(x).body("{\"displayName\":\"Other\",\"members\":[{\"value\":\"" + u2 + "\"}]}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        assertThat(userNames(x, "groups.value eq \"" + g + "\""), containsInAnyOrder("m1"));
        assertThat(userNames(x, "groups[value eq \"" + g2 + "\"]"), containsInAnyOrder("m2"));
        assertThat(userNames(x, "groups pr"), containsInAnyOrder("m1", "m2"));
        idp(x).queryParam("filter", "members.value eq \"" + u2 + "\"")
                .get("/scim/v2/Groups")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(1))
                .body("Resources[0].id", equalTo(g2));
        idp(x).queryParam("filter", "members[value eq \"" + u1 + "\"] or displayName eq \"other\"")
                .get("/scim/v2/Groups")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(2));
        idp(x).queryParam("filter", "not (members pr)")
                .get("/scim/v2/Groups")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(0));
    }

    @Test
    void rfc7644_3_4_2_2_groupFilters() {
        String x = Conf.tenant("filter-group");
        Scim.createGroup(x, "Admins");
        idp(x).body("{\"displayName\":\"Readers\",\"externalId\":\"GRP-1\"}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201);
        idp(x).queryParam("filter", "displayName sw \"adm\"")
                .get("/scim/v2/Groups")
                .then()
                .statusCode(200)
                .body("Resources.displayName", containsInAnyOrder("Admins"));
        idp(x).queryParam("filter", "externalId eq \"GRP-1\"")
                .get("/scim/v2/Groups")
                .then()
                .statusCode(200)
                .body("Resources.displayName", containsInAnyOrder("Readers"));
        idp(x).queryParam("filter", "externalId eq \"grp-1\"")
                .get("/scim/v2/Groups")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(0));
    }

    @Test
    void rfc7644_3_4_2_2_unparseableOrInvalidFiltersAre400InvalidFilterNeverEverything() {
        String[] bad = {
            "userName xx \"alpha\"",
            "(userName eq \"alpha\"",
            "userName eq \"alpha\" and",
            "userName eq \"alpha\" garbage",
            "userName eq alpha",
            "emails[type eq \"work\"",
            "emails[type eq \"work\"]]",
            "title pr pr",
            "and",
            "userName eq \"unterminated",
            "noSuchAttribute eq \"x\"",
            "name.noSuchSub eq \"x\"",
        };
        for (String f : bad) {
            idp(t).queryParam("filter", f)
                    .get("/scim/v2/Users")
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidFilter"))
                    .body("status", equalTo("400"))
                    .body("detail", notNullValue());
        }
        // and through POST .search as well
        idp(t).body("{\"schemas\":[\"" + Conf.SEARCH + "\"],\"filter\":\"(userName eq \\\"alpha\\\"\"}")
                .post("/scim/v2/Users/.search")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidFilter"));
        idp(t).queryParam("filter", "displayName eq")
                .get("/scim/v2/Groups")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidFilter"));
    }

    @Test
    void rfc7644_3_4_2_2_stringValuesWithQuotesAndBackslashesAreLiterals() {
        String x = Conf.tenant("filter-esc");
        Conf.createUser(x, "{\"userName\":\"o\\\"brien\"}");
        Conf.createUser(x, "{\"userName\":\"back\\\\slash\"}");
        assertThat(userNames(x, "userName eq \"o\\\"brien\""), containsInAnyOrder("o\"brien"));
        assertThat(userNames(x, "userName eq \"back\\\\slash\""), containsInAnyOrder("back\\slash"));
        // a LIKE wildcard in a co value is literal
        assertThat(userNames(x, "userName co \"%\""), empty());
        assertThat(userNames(x, "userName sw \"_\""), empty());
    }
}
