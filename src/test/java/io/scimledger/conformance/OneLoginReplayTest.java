package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static io.scimledger.conformance.Conf.patch;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;

/**
 * OneLogin and JumpCloud rows of docs/compatibility.md: emails as a single object, group membership by PATCH, test
 * connection.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class OneLoginReplayTest {

    @Test
    void onelogin_emailsAsASingleObjectOnCreatePutAndPatch() {
        String t = Conf.tenant("onelogin");
        String id = idp(t).body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ol.user",
                 "emails":{"value":"ol@example.com","type":"work","primary":true}}""")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("emails", hasSize(1))
                .body("emails[0].value", equalTo("ol@example.com"))
                .extract()
                .path("id");
        idp(t).body("{\"userName\":\"ol.user\",\"emails\":{\"value\":\"ol2@example.com\",\"type\":\"work\"}}")
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("emails[0].value", equalTo("ol2@example.com"));
        patch(
                        t,
                        "/scim/v2/Users/" + id,
                        "[{\"op\":\"add\",\"path\":\"emails\",\"value\":{\"value\":\"ol3@example.com\",\"type\":\"home\"}}]")
                .statusCode(200)
                .body("emails.value", containsInAnyOrder("ol2@example.com", "ol3@example.com"));
        idp(t).queryParam("filter", "emails.value eq \"ol3@example.com\"")
                .get("/scim/v2/Users")
                .then()
                .body("totalResults", equalTo(1));
    }

    @Test
    void onelogin_groupMembershipByPatch() {
        String t = Conf.tenant("onelogin");
        String u = Scim.createUser(t, "olm");
        String g = Scim.createGroup(t, "OL");
        patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                .statusCode(200)
                .body("members.value", containsInAnyOrder(u));
        patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"remove\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                .statusCode(200)
                .body("members", equalTo(java.util.List.of()));
    }

    @Test
    void jumpcloud_testConnectionCreatesThenDeletesOrDeactivates() {
        String t = Conf.tenant("jumpcloud");
        String u = Scim.createUser(t, "jc-test-user");
        String g = idp(t).body("{\"displayName\":\"jc-test-group\",\"members\":[{\"value\":\"" + u + "\"}]}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        patch(t, "/scim/v2/Users/" + u, "[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]")
                .statusCode(200);
        idp(t).delete("/scim/v2/Groups/" + g).then().statusCode(204);
        idp(t).delete("/scim/v2/Users/" + u).then().statusCode(204);
        idp(t).get("/scim/v2/Users").then().body("totalResults", equalTo(0));
        idp(t).get("/scim/v2/Groups").then().body("totalResults", equalTo(0));
    }
}
