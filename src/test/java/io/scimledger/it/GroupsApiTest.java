package io.scimledger.it;

import static io.scimledger.it.Scim.idp;
import static org.hamcrest.Matchers.containsInAnyOrder;
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
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The /Groups endpoint: membership as its own relation, events only for members that changed, and member clean-up on
 * delete.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class GroupsApiTest {

    static String tenant() {
        return "groups-" + UUID.randomUUID();
    }

    @Test
    void createWithMembersThenReadThemBothWays() {
        String t = tenant();
        String u1 = Scim.createUser(t, "u1");
        String u2 = Scim.createUser(t, "u2");
        String g = idp(t).body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering",
                 "members":[{"value":"%s"},{"value":"%s","type":"User"}]}""".formatted(u1, u2))
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .body("members.value", containsInAnyOrder(u1, u2))
                .body("meta.version", equalTo("W/\"2\""))
                .extract()
                .path("id");
        idp(t).get("/scim/v2/Users/" + u1)
                .then()
                .body("groups.value", hasItem(g))
                .body("groups[0].display", equalTo("Engineering"));
        idp(t).queryParam("filter", "displayName eq \"engineering\"")
                .get("/scim/v2/Groups")
                .then()
                .body("totalResults", equalTo(1))
                .body("Resources[0].members.size()", equalTo(2));
        idp(t).queryParam("excludedAttributes", "members")
                .get("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members", nullValue())
                .body("displayName", equalTo("Engineering"));
    }

    @Test
    void addingAndRemovingMembersAppendsOnlyTheChangedMembers() {
        String t = tenant();
        String g = Scim.createGroup(t, "Ops");
        String a = Scim.createUser(t, "a");
        String b = Scim.createUser(t, "b");
        String c = Scim.createUser(t, "c");
        // Entra: Add with $ref null
        Scim.patch(t, "/scim/v2/Groups/" + g, """
                [{"op":"Add","path":"members","value":[{"$ref":null,"value":"%s"},{"value":"%s"}]}]""".formatted(a, b))
                .statusCode(200)
                .body("members.value", containsInAnyOrder(a, b));
        Scim.patch(t, "/scim/v2/Groups/" + g, """
                [{"op":"add","path":"members","value":[{"value":"%s"}]}]""".formatted(c)).statusCode(200);
        var added = Db.rows(
                "SELECT payload::text AS p FROM event WHERE stream_id = ?::uuid AND event_type = "
                        + "'GroupMembersAdded' ORDER BY stream_version",
                g);
        assertEquals(2, added.size());
        String last = (String) added.get(1).get("p");
        assertTrue(
                last.contains(c) && !last.contains(a) && !last.contains(b),
                "a membership event carries only the members that changed: " + last);
        // Entra: remove listed members without a filter
        Scim.patch(t, "/scim/v2/Groups/" + g, """
                [{"op":"Remove","path":"members","value":[{"value":"%s"}]}]""".formatted(a))
                .statusCode(200)
                .body("members.value", containsInAnyOrder(b, c));
        // filtered remove
        Scim.patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + b + "\\\"]\"}]")
                .statusCode(200)
                .body("members.value", containsInAnyOrder(c));
        String removed = (String) Db.rows(
                        "SELECT payload::text AS p FROM event WHERE stream_id = ?::uuid AND "
                                + "event_type = 'GroupMembersRemoved' ORDER BY stream_version DESC LIMIT 1",
                        g)
                .get(0)
                .get("p");
        assertTrue(removed.contains(b) && !removed.contains(c), removed);
        assertEquals(1, Db.count("SELECT count(*) FROM group_membership WHERE group_id = ?::uuid", g));
    }

    @Test
    void addingAnExistingMemberIsANoOpAndAppendsNothing() {
        String t = tenant();
        String g = Scim.createGroup(t, "Idempotent");
        String a = Scim.createUser(t, "a");
        String op = "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + a + "\"}]}]";
        Scim.patch(t, "/scim/v2/Groups/" + g, op).statusCode(200);
        long before = Db.eventCount(t);
        Scim.patch(t, "/scim/v2/Groups/" + g, op).statusCode(200).body("meta.version", equalTo("W/\"2\""));
        assertEquals(before, Db.eventCount(t));
    }

    @Test
    void unknownMemberIs400AndNothingIsWritten() {
        String t = tenant();
        String g = Scim.createGroup(t, "Strict");
        String other = Scim.createUser("other-" + t, "stranger");
        long before = Db.eventCount(t);
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + UUID.randomUUID() + "\"}]}]")
                .statusCode(400)
                .body("scimType", equalTo("invalidValue"));
        // a user of another tenant is not a member candidate either
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + other + "\"}]}]")
                .statusCode(400);
        assertEquals(before, Db.eventCount(t));
    }

    @Test
    void replaceMembersAndEmptyReplace() {
        String t = tenant();
        String a = Scim.createUser(t, "a");
        String b = Scim.createUser(t, "b");
        String g = Scim.createGroup(t, "Sync");
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"replace\",\"path\":\"members\",\"value\":[{\"value\":\"" + a + "\"}]}]")
                .statusCode(200)
                .body("members.value", containsInAnyOrder(a));
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"replace\",\"path\":\"members\",\"value\":[{\"value\":\"" + b + "\"}]}]")
                .statusCode(200)
                .body("members.value", containsInAnyOrder(b));
        // Okta pushes an empty group as replace members []
        Scim.patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"replace\",\"path\":\"members\",\"value\":[]}]")
                .statusCode(200)
                .body("members", hasSize(0)); // [] as set (docs/compatibility.md)
    }

    @Test
    void renameByOktaShapeIgnoresTheIdInsideTheValue() {
        String t = tenant();
        String g = Scim.createGroup(t, "Old name");
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"replace\",\"value\":{\"id\":\"" + g + "\",\"displayName\":\"New name\"}}]")
                .statusCode(200)
                .body("displayName", equalTo("New name"))
                .body("id", equalTo(g));
    }

    @Test
    void deletingAUserRemovesItsMembershipsAsEventsOnTheGroups() {
        String t = tenant();
        String u = Scim.createUser(t, "leaver");
        String g1 = Scim.createGroup(t, "G1");
        String g2 = Scim.createGroup(t, "G2");
        for (String g : new String[] {g1, g2}) {
            Scim.patch(
                            t,
                            "/scim/v2/Groups/" + g,
                            "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                    .statusCode(200);
        }
        idp(t).delete("/scim/v2/Users/" + u).then().statusCode(204);
        assertEquals(
                2,
                Db.count(
                        "SELECT count(*) FROM event WHERE tenant_id = ? AND event_type = 'GroupMembersRemoved' "
                                + "AND stream_id IN (?::uuid, ?::uuid) AND payload::text LIKE ?",
                        t,
                        g1,
                        g2,
                        "%" + u + "%"));
        idp(t).get("/scim/v2/Groups/" + g1)
                .then()
                .statusCode(200)
                .body("members", hasSize(0))
                .body("meta.version", equalTo("W/\"3\""));
    }

    @Test
    void putReplacesMembersToo() {
        String t = tenant();
        String a = Scim.createUser(t, "a");
        String g = idp(t).body("{\"displayName\":\"P\",\"members\":[{\"value\":\"" + a + "\"}]}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        idp(t).body("{\"displayName\":\"P2\"}")
                .put("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("displayName", equalTo("P2"))
                .body("members", hasSize(0));
        assertFalse(Db.count("SELECT count(*) FROM group_membership WHERE group_id = ?::uuid", g) > 0);
    }

    @Test
    void deleteGroup() {
        String t = tenant();
        String g = Scim.createGroup(t, "Gone");
        idp(t).delete("/scim/v2/Groups/" + g).then().statusCode(204);
        idp(t).get("/scim/v2/Groups/" + g).then().statusCode(404).body("status", not(nullValue()));
    }
}
