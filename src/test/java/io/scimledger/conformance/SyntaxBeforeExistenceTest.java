package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 2: what can be validated without the resource (JSON, schemas, op names, paths, value types) is
 * validated first, so a malformed PATCH or PUT to an id that does not exist is a 400, not a 404. A well-formed
 * request to an unknown id stays 404.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class SyntaxBeforeExistenceTest {

    /** operations JSON → the scimType it must answer whatever the id. */
    static final List<String[]> BAD_PATCHES = List.of(
            new String[] {"{\"Operations\":[{\"op\":\"add\",\"path\":\"title\",\"value\":\"x\"}]}", "invalidSyntax"},
            new String[] {"{\"schemas\":[\"" + Conf.PATCH_OP + "\"],\"Operations\":[]}", "invalidValue"},
            new String[] {Conf.patchBody("[{\"op\":\"move\",\"path\":\"title\",\"value\":\"x\"}]"), "invalidSyntax"},
            new String[] {Conf.patchBody("[{\"op\":\"replace\",\"path\":\"nonsense\",\"value\":\"x\"}]"), "invalidPath"
            },
            new String[] {
                Conf.patchBody("[{\"op\":\"replace\",\"path\":\"emails[type eq]\",\"value\":\"x\"}]"), "invalidPath"
            },
            new String[] {
                Conf.patchBody("[{\"op\":\"replace\",\"path\":\"active\",\"value\":\"perhaps\"}]"), "invalidValue"
            },
            new String[] {Conf.patchBody("[{\"op\":\"replace\",\"path\":\"id\",\"value\":\"x\"}]"), "mutability"},
            new String[] {Conf.patchBody("[{\"op\":\"remove\"}]"), "noTarget"});

    @Test
    void malformedUserPatchToAnUnknownIdIs400NotFound() {
        String t = Conf.tenant("order");
        for (String id : List.of(UUID.randomUUID().toString(), "not-a-uuid")) {
            for (String[] bad : BAD_PATCHES) {
                idp(t).body(bad[0])
                        .patch("/scim/v2/Users/" + id)
                        .then()
                        .statusCode(400)
                        .body("scimType", equalTo(bad[1]));
            }
            idp(t).body("{not json")
                    .patch("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidSyntax"));
            // well-formed: the id decides
            idp(t).body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}]"))
                    .patch("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(404);
            // a filter that would match nothing is about the resource, so it does not hide the 404
            idp(t).body(Conf.patchBody("[{\"op\":\"remove\",\"path\":\"emails[type eq \\\"work\\\"]\"}]"))
                    .patch("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(404);
        }
    }

    @Test
    void malformedGroupPatchToAnUnknownIdIs400NotFound() {
        String t = Conf.tenant("order");
        for (String id : List.of(UUID.randomUUID().toString(), "not-a-uuid")) {
            idp(t).body(Conf.patchBody("[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"type\":\"User\"}]}]"))
                    .patch("/scim/v2/Groups/" + id)
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            idp(t).body(Conf.patchBody("[{\"op\":\"remove\",\"path\":\"members[display eq \\\"x\\\"]\"}]"))
                    .patch("/scim/v2/Groups/" + id)
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidFilter"));
            idp(t).body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"userName\",\"value\":\"x\"}]"))
                    .patch("/scim/v2/Groups/" + id)
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidPath"));
            idp(t).body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"x\"}]"))
                    .patch("/scim/v2/Groups/" + id)
                    .then()
                    .statusCode(404);
        }
    }

    @Test
    void malformedPutToAnUnknownIdIs400NotFound() {
        String t = Conf.tenant("order");
        for (String id : List.of(UUID.randomUUID().toString(), "not-a-uuid")) {
            idp(t).body("{\"schemas\":[\"" + Conf.USER + "\"],\"displayName\":\"no userName\"}")
                    .put("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            idp(t).body("{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"u\",\"active\":\"maybe\"}")
                    .put("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            idp(t).body("[1,2]").put("/scim/v2/Users/" + id).then().statusCode(400);
            idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":[\"x\"]}")
                    .put("/scim/v2/Groups/" + id)
                    .then()
                    .statusCode(400)
                    .body("scimType", equalTo("invalidValue"));
            idp(t).body("{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"u\"}")
                    .put("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(404);
            idp(t).body("{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"g\"}")
                    .put("/scim/v2/Groups/" + id)
                    .then()
                    .statusCode(404);
        }
    }
}
