package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Db;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * RFC 7644 section 3.5.1: PUT replaces. UsersApiTest covers "omitted attributes cleared, id/meta/groups in body
 * ignored" for a user with an equal id; GroupsApiTest covers members cleared by a group PUT.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class ReplaceTest {

    @Test
    void rfc7644_3_5_1_omittedAttributesAreClearedIncludingExtensionAndComplexOnes() {
        String t = Conf.tenant("put");
        String id = Conf.createUser(t, """
                {"schemas":["%s","%s"],"userName":"full","title":"T","nickName":"N","active":true,
                 "addresses":[{"type":"work","locality":"Oslo"}],"phoneNumbers":[{"value":"+1","type":"work"}],
                 "%s":{"employeeNumber":"9","department":"D"}}""".formatted(Conf.USER, Conf.ENTERPRISE, Conf.ENTERPRISE));
        idp(t).body("{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"full\",\"nickName\":\"N2\"}")
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("nickName", equalTo("N2"))
                .body("title", nullValue())
                .body("addresses", nullValue())
                .body("phoneNumbers", nullValue())
                .body("'" + Conf.ENTERPRISE + "'", nullValue())
                .body("schemas", not(hasItem(Conf.ENTERPRISE)));
        // and the stored state agrees, not just the response
        idp(t).get("/scim/v2/Users/" + id)
                .then()
                .body("title", nullValue())
                .body("'" + Conf.ENTERPRISE + "'", nullValue());
    }

    @Test
    void rfc7644_3_5_1_aDifferentIdOrMetaInTheBodyIsIgnored() {
        String t = Conf.tenant("put");
        String id = Scim.createUser(t, "keep.id");
        String other = UUID.randomUUID().toString();
        var created = idp(t).get("/scim/v2/Users/" + id).then().extract();
        idp(t).body("""
                {"id":"%s","userName":"keep.id","meta":{"resourceType":"Group","created":"2000-01-01T00:00:00Z",
                 "location":"https://evil.example/x","version":"W/\\"99\\""}}""".formatted(other))
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("id", equalTo(id))
                .body("meta.resourceType", equalTo("User"))
                .body("meta.created", equalTo(created.path("meta.created")))
                .body("meta.location", equalTo(created.path("meta.location")))
                .body("meta.version", equalTo("W/\"2\""));
        idp(t).get("/scim/v2/Users/" + other).then().statusCode(404);
    }

    @Test
    void rfc7644_3_5_1_groupsInAUserPutDoNotChangeMembership() {
        // groups is readOnly on User (RFC 7643 section 4.1.2): membership changes only through the Group
        String t = Conf.tenant("put");
        String u = Scim.createUser(t, "member.put");
        String g = idp(t).body("{\"displayName\":\"Keep\",\"members\":[{\"value\":\"" + u + "\"}]}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String g2 = Scim.createGroup(t, "Not joined");
        idp(t).body("{\"userName\":\"member.put\",\"groups\":[]}")
                .put("/scim/v2/Users/" + u)
                .then()
                .statusCode(200)
                .body("groups.value", contains(g));
        idp(t).body("{\"userName\":\"member.put\",\"groups\":[{\"value\":\"" + g2 + "\"}]}")
                .put("/scim/v2/Users/" + u)
                .then()
                .statusCode(200)
                .body("groups.value", contains(g));
        idp(t).get("/scim/v2/Groups/" + g2).then().body("members", equalTo(java.util.List.of()));
    }

    @Test
    void rfc7644_3_5_1_putWithoutRequiredAttributeIs400AndChangesNothing() {
        String t = Conf.tenant("put");
        String id = Scim.createUser(t, "required");
        long before = Db.eventCount(t);
        idp(t).body("{\"title\":\"no userName\"}")
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(400)
                .body("status", equalTo("400"));
        String g = Scim.createGroup(t, "G");
        long afterGroup = Db.eventCount(t);
        idp(t).body("{\"externalId\":\"x\"}").put("/scim/v2/Groups/" + g).then().statusCode(400);
        assertEquals(afterGroup, Db.eventCount(t));
        assertEquals(before + 1, afterGroup);
        idp(t).get("/scim/v2/Users/" + id)
                .then()
                .body("userName", equalTo("required"))
                .body("title", nullValue());
    }

    @Test
    void rfc7644_3_5_1_putOnUnknownIdIs404NotCreate() {
        String t = Conf.tenant("put");
        String id = UUID.randomUUID().toString();
        idp(t).body("{\"userName\":\"ghost\"}")
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(404)
                .body("status", equalTo("404"));
        idp(t).queryParam("filter", "userName eq \"ghost\"")
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(0));
    }

    @Test
    void rfc7644_3_5_1_groupPutReplacesMembersWithTheGivenList() {
        String t = Conf.tenant("put");
        String a = Scim.createUser(t, "a");
        String b = Scim.createUser(t, "b");
        String g = idp(t).body("{\"displayName\":\"P\",\"members\":[{\"value\":\"" + a + "\"}]}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        idp(t).body("{\"displayName\":\"P\",\"members\":[{\"value\":\"" + b + "\",\"display\":\"whatever\"}]}")
                .put("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("members.value", contains(b));
        idp(t).get("/scim/v2/Users/" + a).then().body("groups", nullValue());
    }
}
