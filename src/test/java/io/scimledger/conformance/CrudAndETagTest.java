package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Db;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * RFC 7644 sections 3.3 (create), 3.4.1 (retrieve by id), 3.6 (delete) and 3.14 (versioning). UsersApiTest covers
 * user create/Location, case-variant 409 on POST, If-Match on user PATCH and If-None-Match 304; this covers groups,
 * PUT/DELETE preconditions and the remaining edges.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class CrudAndETagTest {

    @Test
    void rfc7644_3_3_groupCreateIs201WithLocationEqualToMetaLocationAndEtag() {
        String t = Conf.tenant("crud");
        var r = idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"Located\"}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .body("meta.resourceType", equalTo("Group"))
                .body("id", notNullValue())
                .extract();
        assertEquals(r.header("Location"), r.path("meta.location"));
        assertEquals(r.header("ETag"), r.path("meta.version"));
        // meta.location is dereferenceable and names the same resource
        String location = r.path("meta.location");
        idp(t).get(location.substring(location.indexOf("/scim/v2/")))
                .then()
                .statusCode(200)
                .body("id", equalTo(r.path("id")));
    }

    @Test
    void rfc7644_3_3_clientSuppliedIdIsIgnoredAndServerAssignsOne() {
        String t = Conf.tenant("crud");
        String mine = UUID.randomUUID().toString();
        String id = idp(t).body("{\"id\":\"" + mine + "\",\"userName\":\"own.id\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        assertNotEquals(mine, id);
    }

    @Test
    void rfc7644_3_3_uniquenessAlsoOnPutRenameAndAcrossCaseVariants() {
        String t = Conf.tenant("crud");
        Scim.createUser(t, "Taken.Name");
        String other = Scim.createUser(t, "other.name");
        long before = Db.eventCount(t);
        idp(t).body("{\"userName\":\"taken.NAME\"}")
                .put("/scim/v2/Users/" + other)
                .then()
                .statusCode(409)
                .body("scimType", equalTo("uniqueness"))
                .body("status", equalTo("409"));
        assertEquals(before, Db.eventCount(t));
        // renaming to a case variant of one's own name is fine
        idp(t).body("{\"userName\":\"OTHER.name\"}")
                .put("/scim/v2/Users/" + other)
                .then()
                .statusCode(200)
                .body("userName", equalTo("OTHER.name"));
    }

    @Test
    void rfc7644_3_3_groupDisplayNameIsNotRequiredToBeUnique() {
        // RFC 7643 section 4.2: displayName has uniqueness "none"
        String t = Conf.tenant("crud");
        Scim.createGroup(t, "Same");
        idp(t).body("{\"displayName\":\"Same\"}").post("/scim/v2/Groups").then().statusCode(201);
    }

    @Test
    void rfc7644_3_4_1_getByIdReturnsTheResourceWithMetaAndEtagHeader() {
        String t = Conf.tenant("crud");
        String id = Scim.createUser(t, "getter");
        var r = idp(t).get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("schemas", hasItem(Conf.USER))
                .body("id", equalTo(id))
                .body("userName", equalTo("getter"))
                .body("meta.resourceType", equalTo("User"))
                .body("meta.created", notNullValue())
                .extract();
        assertEquals(r.header("ETag"), r.path("meta.version"));
    }

    @Test
    void rfc7644_3_4_1_unknownGroupIdAndForeignTenantIdAre404() {
        String t = Conf.tenant("crud");
        String g = Scim.createGroup(t, "Mine");
        idp(t).get("/scim/v2/Groups/" + UUID.randomUUID())
                .then()
                .statusCode(404)
                .body("status", equalTo("404"));
        idp(Conf.tenant("other"))
                .get("/scim/v2/Groups/" + g)
                .then()
                .statusCode(404)
                .body("status", equalTo("404"));
        // a user id is not a group id
        String u = Scim.createUser(t, "not.a.group");
        idp(t).get("/scim/v2/Groups/" + u).then().statusCode(404);
    }

    @Test
    void rfc7644_3_6_deleteThenEveryOperationIs404AndTheUserLeavesListsAndGroups() {
        String t = Conf.tenant("crud");
        String u = Scim.createUser(t, "deleted.user");
        String g = Scim.createGroup(t, "Holder");
        Conf.patch(
                        t,
                        "/scim/v2/Groups/" + g,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u + "\"}]}]")
                .statusCode(200);
        idp(t).delete("/scim/v2/Users/" + u).then().statusCode(204);
        idp(t).delete("/scim/v2/Users/" + u).then().statusCode(404).body("status", equalTo("404"));
        idp(t).body("{\"userName\":\"deleted.user\"}")
                .put("/scim/v2/Users/" + u)
                .then()
                .statusCode(404);
        Conf.patch(t, "/scim/v2/Users/" + u, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}]")
                .statusCode(404);
        idp(t).queryParam("filter", "userName eq \"deleted.user\"")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(0));
        idp(t).get("/scim/v2/Groups/" + g).then().statusCode(200).body("members", equalTo(java.util.List.of()));
    }

    @Test
    void rfc7644_3_6_deletingAGroupRemovesItFromItsMembersGroups() {
        String t = Conf.tenant("crud");
        String u = Scim.createUser(t, "member");
        String g = idp(t).body("{\"displayName\":\"Doomed\",\"members\":[{\"value\":\"" + u + "\"}]}")
                .post("/scim/v2/Groups")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        idp(t).get("/scim/v2/Users/" + u).then().body("groups.value", hasItem(g));
        idp(t).delete("/scim/v2/Groups/" + g).then().statusCode(204);
        idp(t).get("/scim/v2/Users/" + u).then().statusCode(200).body("groups", nullValue());
        idp(t).delete("/scim/v2/Groups/" + g).then().statusCode(404);
    }

    @Test
    void rfc7644_3_14_groupEtagsFollowEveryChange() {
        String t = Conf.tenant("etag");
        String g = Scim.createGroup(t, "Versioned");
        String v1 = idp(t).get("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .extract()
                .header("ETag");
        idp(t).header("If-None-Match", v1).get("/scim/v2/Groups/" + g).then().statusCode(304);
        Conf.patch(t, "/scim/v2/Groups/" + g, "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"V2\"}]")
                .statusCode(200);
        String v2 = idp(t).header("If-None-Match", v1)
                .get("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("displayName", equalTo("V2"))
                .extract()
                .header("ETag");
        assertNotEquals(v1, v2);
        idp(t).header("If-Match", v1)
                .body("{\"displayName\":\"stale\"}")
                .put("/scim/v2/Groups/" + g)
                .then()
                .statusCode(412)
                .body("status", equalTo("412"))
                .body("schemas", hasItem(Conf.ERROR));
        idp(t).header("If-Match", v2)
                .body("{\"displayName\":\"fresh\"}")
                .put("/scim/v2/Groups/" + g)
                .then()
                .statusCode(200)
                .body("displayName", equalTo("fresh"))
                .header("ETag", not(equalTo(v2)));
    }

    @Test
    void rfc7644_3_14_putAndDeleteWithStaleIfMatchAre412AndChangeNothing() {
        String t = Conf.tenant("etag");
        String id = Scim.createUser(t, "precondition");
        Conf.patch(t, "/scim/v2/Users/" + id, "[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"v2\"}]")
                .statusCode(200);
        long before = Db.eventCount(t);
        idp(t).header("If-Match", "W/\"1\"")
                .body("{\"userName\":\"precondition\"}")
                .put("/scim/v2/Users/" + id)
                .then()
                .statusCode(412)
                .body("status", equalTo("412"));
        idp(t).header("If-Match", "W/\"1\"")
                .delete("/scim/v2/Users/" + id)
                .then()
                .statusCode(412);
        assertEquals(before, Db.eventCount(t));
        idp(t).get("/scim/v2/Users/" + id).then().statusCode(200).body("title", equalTo("v2"));
        // a list of tags and "*" both admit the current version
        idp(t).header("If-Match", "W/\"1\", W/\"2\"")
                .body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"v3\"}]"))
                .patch("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .header("ETag", equalTo("W/\"3\""));
        idp(t).header("If-Match", "*").delete("/scim/v2/Users/" + id).then().statusCode(204);
    }

    @Test
    void rfc7644_3_14_ifNoneMatchWithAnotherVersionReturnsTheResource() {
        String t = Conf.tenant("etag");
        String id = Scim.createUser(t, "inm");
        idp(t).header("If-None-Match", "W/\"7\"")
                .get("/scim/v2/Users/" + id)
                .then()
                .statusCode(200)
                .body("id", equalTo(id))
                .header("ETag", equalTo("W/\"1\""));
    }
}
