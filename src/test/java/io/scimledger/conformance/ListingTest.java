package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 7644 sections 3.4.2.3 (sorting), 3.4.2.4 (paging), 3.4.2.5 (attributes) and 3.4.3 (POST .search).
 * UsersApiTest covers basic startIndex/count and count=0, and attributes=userName / excludedAttributes=emails,name
 * on GET by id; ProtocolFeaturesTest covers a basic POST /Users/.search and root search.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class ListingTest {

    @Test
    void rfc7644_3_4_2_3_sortByUserNameAscendingAndDescending() {
        String t = Conf.tenant("sort");
        for (String n : new String[] {"charlie", "Alice", "bob", "dave"}) {
            Scim.createUser(t, n);
        }
        idp(t).queryParam("sortBy", "userName")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("Resources.userName", contains("Alice", "bob", "charlie", "dave"));
        idp(t).queryParam("sortBy", "userName")
                .queryParam("sortOrder", "ascending")
                .get("/scim/v2/Users")
                .then()
                .body("Resources.userName", contains("Alice", "bob", "charlie", "dave"));
        idp(t).queryParam("sortBy", "userName")
                .queryParam("sortOrder", "descending")
                .get("/scim/v2/Users")
                .then()
                .body("Resources.userName", contains("dave", "charlie", "bob", "Alice"));
        // attribute name case-insensitive, with a filter and paging applied after sorting
        idp(t).queryParam("sortBy", "USERNAME")
                .queryParam("sortOrder", "descending")
                .queryParam("filter", "userName ne \"dave\"")
                .queryParam("startIndex", 2)
                .queryParam("count", 1)
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(3))
                .body("Resources.userName", contains("bob"));
        // groups by displayName
        String g = Conf.tenant("sortg");
        for (String n : new String[] {"b", "C", "a"}) {
            Scim.createGroup(g, n);
        }
        idp(g).queryParam("sortBy", "displayName")
                .get("/scim/v2/Groups")
                .then()
                .body("Resources.displayName", contains("a", "b", "C"));
    }

    @Test
    void rfc7644_3_4_2_3_sortIsStableAcrossPagesWhenValuesTie() {
        String t = Conf.tenant("sort");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            names.add(Conf.createUser(
                    t, "{\"userName\":\"tie" + i + "\",\"title\":\"" + (i % 2 == 0 ? "same" : "other") + "\"}"));
        }
        for (String order : new String[] {"ascending", "descending"}) {
            List<String> whole = idp(t).queryParam("sortBy", "title")
                    .queryParam("sortOrder", order)
                    .get("/scim/v2/Users")
                    .then()
                    .extract()
                    .jsonPath()
                    .getList("Resources.id");
            List<String> paged = new ArrayList<>();
            for (int start = 1; start <= 7; start += 2) {
                paged.addAll(idp(t).queryParam("sortBy", "title")
                        .queryParam("sortOrder", order)
                        .queryParam("startIndex", start)
                        .queryParam("count", 2)
                        .get("/scim/v2/Users")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("Resources.id"));
            }
            assertEquals(whole, paged, "pages must concatenate to the whole sorted list (" + order + ")");
            assertEquals(7, whole.size());
        }
    }

    @Test
    void rfc7644_3_4_2_3_sortByUnknownAttributeIsInvalidFilter() {
        // The sort key is resolved like a filter's attribute path, so an unknown one is refused the same way
        // (SqlFilterTranslator.orderBy): 400 invalidFilter naming the attribute, never silently ignored, never a 500.
        String t = Conf.tenant("sort");
        Scim.createUser(t, "one");
        idp(t).queryParam("sortBy", "noSuchAttribute")
                .get("/scim/v2/Users")
                .then()
                .statusCode(400)
                .body("schemas", contains(Conf.ERROR))
                .body("status", equalTo("400"))
                .body("scimType", equalTo("invalidFilter"))
                .body("detail", containsString("noSuchAttribute"));
    }

    @Test
    void rfc7644_3_4_2_4_pagingEdgesAndNumbersAreNumbers() {
        String t = Conf.tenant("page");
        for (int i = 0; i < 3; i++) {
            Scim.createUser(t, "p" + i);
        }
        // negative count: treated as 0, no resources, totalResults still right
        idp(t).queryParam("count", -5)
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(3))
                .body("itemsPerPage", equalTo(0))
                .body("Resources", hasSize(0));
        // startIndex below 1 is 1
        idp(t).queryParam("startIndex", 0)
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("startIndex", equalTo(1))
                .body("Resources", hasSize(3));
        idp(t).queryParam("startIndex", -3)
                .queryParam("count", 1)
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("startIndex", equalTo(1))
                .body("itemsPerPage", equalTo(1));
        // beyond the end: empty page, still 200
        idp(t).queryParam("startIndex", 10)
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(3))
                .body("Resources", hasSize(0))
                .body("startIndex", equalTo(10));
        // JSON numbers, not strings (Okta checks this)
        idp(t).get("/scim/v2/Users")
                .then()
                .body("totalResults", instanceOf(Integer.class))
                .body("itemsPerPage", instanceOf(Integer.class))
                .body("startIndex", instanceOf(Integer.class))
                .body(not(containsString("\"totalResults\":\"")));
    }

    @Test
    void rfc7644_3_4_2_4_countAboveMaxResultsIsCappedAt200() {
        String t = Conf.tenant("page-cap");
        // 205 groups (cheaper than users: no personal data to seal)
        for (int i = 0; i < 205; i++) {
            idp(t).body("{\"displayName\":\"cap" + i + "\"}")
                    .post("/scim/v2/Groups")
                    .then()
                    .statusCode(201);
        }
        idp(t).queryParam("count", 1000)
                .get("/scim/v2/Groups")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(205))
                .body("itemsPerPage", equalTo(200))
                .body("Resources", hasSize(200));
        idp(t).queryParam("startIndex", 201)
                .queryParam("count", 1000)
                .get("/scim/v2/Groups")
                .then()
                .body("itemsPerPage", equalTo(5));
        // no count: the default page size (100), never the whole table
        idp(t).get("/scim/v2/Groups").then().body("itemsPerPage", equalTo(100));
    }

    @Test
    void rfc7644_3_4_2_5_passwordIsNeverReturnedEvenWhenAskedFor() {
        String t = Conf.tenant("attrs");
        String id = idp(t).body("{\"userName\":\"pw\",\"password\":\"Secr3t!\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("password", nullValue())
                .extract()
                .path("id");
        idp(t).queryParam("attributes", "password,userName")
                .get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("password", nullValue())
                .body("userName", equalTo("pw"));
        idp(t).queryParam("attributes", "password")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("Resources[0].password", nullValue())
                .body("Resources[0].id", equalTo(id));
        idp(t).body("{\"userName\":\"pw\",\"password\":\"N3w!\"}")
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("password", nullValue());
        Conf.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"password\",\"value\":\"x\"}]")
                .statusCode(200)
                .body("password", nullValue());
    }

    @Test
    void rfc7644_3_4_2_5_idAndSchemasAlwaysReturnedAndSubAttributesSelectable() {
        String t = Conf.tenant("attrs");
        String id = Scim.createUser(t, "sel");
        idp(t).queryParam("excludedAttributes", "id,schemas,userName")
                .get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("id", equalTo(id))
                .body("schemas", notNullValue())
                .body("userName", nullValue())
                .body("emails", notNullValue());
        idp(t).queryParam("attributes", "name.familyName")
                .get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("id", equalTo(id))
                .body("name.familyName", equalTo("Family"))
                .body("name.givenName", nullValue())
                .body("userName", nullValue())
                .body("emails", nullValue());
        idp(t).queryParam("attributes", "emails.value")
                .get("/scim/v2/Users/" + id)
                .then()
                .body("emails[0].value", equalTo("sel@example.com"))
                .body("emails[0].type", nullValue());
        // URN-qualified attribute names and case-insensitivity
        idp(t).queryParam("attributes", Conf.USER + ":USERNAME")
                .get("/scim/v2/Users/" + id)
                .then()
                .body("userName", equalTo("sel"))
                .body("emails", nullValue());
        // on lists, and on write responses
        idp(t).queryParam("attributes", "userName")
                .get("/scim/v2/Users")
                .then()
                .body("Resources[0].userName", equalTo("sel"))
                .body("Resources[0].emails", nullValue())
                .body("Resources[0].id", equalTo(id));
        idp(t).queryParam("attributes", "title")
                .body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"T\"}]"))
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("title", equalTo("T"))
                .body("userName", nullValue())
                .body("id", equalTo(id));
        idp(t).queryParam("excludedAttributes", "emails")
                .body("{\"userName\":\"created\",\"emails\":[{\"value\":\"c@x.org\"}]}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("emails", nullValue())
                .body("userName", equalTo("created"));
    }

    @Test
    void rfc7644_3_4_2_5_enterpriseExtensionSelection() {
        String t = Conf.tenant("attrs");
        String id = Conf.createUser(t, """
                {"schemas":["%s","%s"],"userName":"ext","title":"x","%s":{"employeeNumber":"7","department":"D"}}""".formatted(Conf.USER, Conf.ENTERPRISE, Conf.ENTERPRISE));
        idp(t).queryParam("attributes", Conf.ENTERPRISE + ":employeeNumber")
                .get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("'" + Conf.ENTERPRISE + "'.employeeNumber", equalTo("7"))
                .body("'" + Conf.ENTERPRISE + "'.department", nullValue())
                .body("title", nullValue());
    }

    @Test
    void rfc7644_3_4_2_5_wholeExtensionByItsSchemaUrn() {
        String t = Conf.tenant("attrs");
        String id = Conf.createUser(t, """
                {"schemas":["%s","%s"],"userName":"ext","title":"x","%s":{"employeeNumber":"7","department":"D"}}""".formatted(Conf.USER, Conf.ENTERPRISE, Conf.ENTERPRISE));
        idp(t).queryParam("excludedAttributes", Conf.ENTERPRISE)
                .get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("'" + Conf.ENTERPRISE + "'", nullValue())
                .body("title", equalTo("x"));
        idp(t).queryParam("attributes", Conf.ENTERPRISE)
                .get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("'" + Conf.ENTERPRISE + "'.department", equalTo("D"))
                .body("title", nullValue());
    }

    @Test
    void rfc7644_3_4_3_postSearchWithSortingPagingAndExclusionOnGroupsAndRoot() {
        String t = Conf.tenant("search");
        for (String n : new String[] {"zeta", "Eta", "theta"}) {
            Scim.createGroup(t, n);
        }
        idp(t).body("""
                {"schemas":["%s"],"filter":"displayName ew \\"ETA\\"","sortBy":"displayName","sortOrder":"descending",
                 "startIndex":1,"count":2,"excludedAttributes":["members"]}""".formatted(Conf.SEARCH))
                .post("/scim/v2/Groups/.search")
                .then()
                .statusCode(200)
                .body("schemas", contains(Conf.LIST))
                .body("totalResults", equalTo(3))
                .body("itemsPerPage", equalTo(2))
                .body("Resources.displayName", contains("zeta", "theta"));
        // a search body without a filter lists everything of the tenant
        idp(t).body("{\"schemas\":[\"" + Conf.SEARCH + "\"],\"count\":1}")
                .post("/scim/v2/Groups/.search")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(3))
                .body("Resources", hasSize(1));
        // root search: an invalid filter is invalidFilter, not an empty list
        idp(t).body("{\"schemas\":[\"" + Conf.SEARCH + "\"],\"filter\":\"displayName eq\"}")
                .post("/scim/v2/.search")
                .then()
                .statusCode(400)
                .body("scimType", equalTo("invalidFilter"));
        // a wrong message schema is rejected
        idp(t).body("{\"schemas\":[\"" + Conf.PATCH_OP + "\"]}")
                .post("/scim/v2/Groups/.search")
                .then()
                .statusCode(400);
    }
}
