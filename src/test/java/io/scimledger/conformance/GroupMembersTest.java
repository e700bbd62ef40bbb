package io.scimledger.conformance;

import static io.restassured.RestAssured.given;
import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Db;
import io.scimledger.it.Scim;
import io.scimledger.it.Tokens;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Issue 12, items 4, 5 and 8: group member display, explicitly empty members, remove with an empty value. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class GroupMembersTest {

    static String group(String t, String name, String membersJson) {
        return idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"" + name + "\",\"members\":"
                        + membersJson + "}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    @Test
    void item8_removeMembersWithAnEmptyValueRemovesThePath() {
        String t = Conf.tenant("members");
        String u1 = Scim.createUser(t, "m1");
        String u2 = Scim.createUser(t, "m2");
        String g = group(t, "Emptied", "[{\"value\":\"" + u1 + "\"},{\"value\":\"" + u2 + "\"}]");
        idp(t).get("/scim/v2/Groups/" + g).then().body("members", hasSize(2));
        Scim.patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"remove\",\"path\":\"members\",\"value\":\"\"}]")
                .statusCode(200);
        idp(t).get("/scim/v2/Groups/" + g).then().statusCode(200).body("members.size()", equalTo(0));
        // the same on a user attribute: remove with "" is a remove of the path
        String u = Conf.createUser(t, "{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"rm\",\"title\":\"T\"}");
        Scim.patch(t, "/scim/v2/Users/" + u, "[{\"op\":\"remove\",\"path\":\"title\",\"value\":\"\"}]")
                .statusCode(200)
                .body("title", equalTo(null));
    }

    @Test
    void item5_explicitlyEmptyMembersAreRenderedAsAnEmptyArray() {
        String t = Conf.tenant("members");
        String u = Scim.createUser(t, "e1");
        // POST with members: []
        String g = group(t, "Empty", "[]");
        idp(t).get("/scim/v2/Groups/" + g).then().statusCode(200).body("members", equalTo(List.of()));
        // PATCH replace members [] (Okta 7) and PUT with members: []
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                .statusCode(200)
                .body("members", hasSize(1));
        Scim.patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"replace\",\"path\":\"members\",\"value\":[]}]")
                .statusCode(200)
                .body("members", equalTo(List.of()));
        idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"Empty\",\"members\":[]}")
                .put("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members", equalTo(List.of()));
        // in lists too, unless the client excluded members
        idp(t).queryParam("filter", "displayName eq \"Empty\"")
                .get("/scim/v2/Groups")
                .then()
                .statusCode(200)
                .body("Resources[0].members", equalTo(List.of()));
        idp(t).queryParam("excludedAttributes", "members")
                .get("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members", nullValue());
        // a user's multi-valued attribute set to [] is removed (RFC 7643 section 2.5: the same state) and omitted
        String id = Conf.createUser(
                t,
                "{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"e2\","
                        + "\"emails\":[{\"value\":\"e2@example.com\"}]}");
        Scim.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"emails\",\"value\":[]}]")
                .statusCode(200)
                .body("emails", nullValue());
    }

    /** Every row of the tenant's log, as text, for searching (RequestRecordPrivacyTest does the same). */
    static String rawLog(String tenant) {
        return String.join(
                "\n",
                Db.rows("SELECT e::text AS r FROM event e WHERE tenant_id = ? ORDER BY position", tenant).stream()
                        .map(row -> (String) row.get("r"))
                        .toList());
    }

    @Test
    void item4_memberDisplayIsWhatTheClientSentElseTheMembersNameAndNeverInClearInTheLog() {
        String t = Conf.tenant("members");
        String ada = Conf.createUser(
                t, "{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"ada\",\"displayName\":\"Ada L\"}");
        String bob = Conf.createUser(
                t, "{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"bob\",\"displayName\":\"Bob B\"}");
        String inner = group(t, "Inner", "[]");
        String adaMail = "ada-" + UUID.randomUUID() + "@example.com";
        // Okta: members[].display on create (and on PATCH add below)
        String g = group(t, "Okta Group", "[{\"value\":\"" + ada + "\",\"display\":\"" + adaMail + "\"}]");
        idp(t).get("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members.find { it.value == '" + ada + "' }.display", equalTo(adaMail));
        // none sent: the member's current name; a Group member's display is a group name, kept as sent
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + bob + "\"},{\"value\":\""
                                + inner + "\",\"type\":\"Group\",\"display\":\"Inner as sent\"}]}]")
                .statusCode(200)
                .body("members.find { it.value == '" + bob + "' }.display", equalTo("Bob B"))
                .body("members.find { it.value == '" + inner + "' }.display", equalTo("Inner as sent"))
                .body("members.find { it.value == '" + ada + "' }.display", equalTo(adaMail));
        // the fallback follows the member's name; what the client sent does not change with it
        Scim.patch(t, "/scim/v2/Users/" + bob, "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Robert B\"}]")
                .statusCode(200);
        Scim.patch(t, "/scim/v2/Users/" + ada, "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Ada K\"}]")
                .statusCode(200);
        idp(t).get("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members.find { it.value == '" + bob + "' }.display", equalTo("Robert B"))
                .body("members.find { it.value == '" + ada + "' }.display", equalTo(adaMail));
        // immutable (as /Schemas says): re-adding a member does not change the display it was added with
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + ada
                                + "\",\"display\":\"other\"}]}]")
                .statusCode(200)
                .body("members.find { it.value == '" + ada + "' }.display", equalTo(adaMail));
        // a display that is not a string is a wrong type
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + bob + "\",\"display\":7}]}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        // the log: sealed under the member user's key, never in clear; the group name stays readable
        String log = rawLog(t);
        assertFalse(log.contains(adaMail), "a member's display in clear in the log");
        assertTrue(log.contains("Inner as sent"), "a Group member's display is a group name, kept readable");
        // a projection rebuilt from the log gives the same displays
        given().auth()
                .oauth2(Tokens.admin())
                .post("/admin/projections/rebuild")
                .then()
                .statusCode(200);
        idp(t).get("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members.find { it.value == '" + ada + "' }.display", equalTo(adaMail))
                .body("members.find { it.value == '" + bob + "' }.display", equalTo("Robert B"))
                .body("members.find { it.value == '" + inner + "' }.display", equalTo("Inner as sent"));
        // erasing the member user removes it everywhere: no longer a member, and the log's copy unreadable
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{}")
                .post("/admin/tenants/" + t + "/Users/" + ada + "/erasure")
                .then()
                .statusCode(200);
        assertEquals(0, Db.count("SELECT count(*) FROM group_membership WHERE member_id = ?::uuid", ada));
        given().auth()
                .oauth2(Tokens.admin())
                .post("/admin/projections/rebuild")
                .then()
                .statusCode(200);
        idp(t).get("/scim/v2/Groups/" + g).then().statusCode(200).body("members.value", not(hasItem(ada)));
        assertFalse(rawLog(t).contains(adaMail));
    }
}
