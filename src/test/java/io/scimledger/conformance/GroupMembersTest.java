package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 12, items 4, 5 and 8: group member display, explicitly empty members, remove with an empty value. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class GroupMembersTest {

    static String group(String t, String name, String membersJson) {
        return idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"" + name + "\",\"members\":"
                + membersJson + "}").post("/scim/v2/Groups").then().statusCode(201).extract().path("id");
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
                .statusCode(200).body("title", equalTo(null));
    }

    @Test
    void item5_explicitlyEmptyMembersAreRenderedAsAnEmptyArray() {
        String t = Conf.tenant("members");
        String u = Scim.createUser(t, "e1");
        // POST with members: []
        String g = group(t, "Empty", "[]");
        idp(t).get("/scim/v2/Groups/" + g).then().statusCode(200).body("members", equalTo(List.of()));
        // PATCH replace members [] (Okta 7) and PUT with members: []
        Scim.patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                .statusCode(200).body("members", hasSize(1));
        Scim.patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"replace\",\"path\":\"members\",\"value\":[]}]")
                .statusCode(200).body("members", equalTo(List.of()));
        idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"Empty\",\"members\":[]}")
                .put("/scim/v2/Groups/" + g).then().statusCode(200).body("members", equalTo(List.of()));
        // in lists too, unless the client excluded members
        idp(t).queryParam("filter", "displayName eq \"Empty\"").get("/scim/v2/Groups").then().statusCode(200)
                .body("Resources[0].members", equalTo(List.of()));
        idp(t).queryParam("excludedAttributes", "members").get("/scim/v2/Groups/" + g).then().statusCode(200)
                .body("members", nullValue());
        // a user's multi-valued attribute set to [] is removed (RFC 7643 section 2.5: the same state) and omitted
        String id = Conf.createUser(t, "{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"e2\","
                + "\"emails\":[{\"value\":\"e2@example.com\"}]}");
        Scim.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"emails\",\"value\":[]}]")
                .statusCode(200).body("emails", nullValue());
    }
}
