package io.scimledger.it;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The log records exactly what was applied and never a personal value in clear. Two halves:
 * <ul>
 *   <li>a request that names one member twice (in any spelling) is ambiguous: it is refused with
 *       400 invalidSyntax through every write path and leaves no event, so the log never records one reading of a
 *       request while the service applied another;</li>
 *   <li>personal values sent under keys of any casing, through POST, PUT, PATCH and Bulk, are applied and reach the
 *       log only sealed. The raw rows are searched as the database owner, whole rows as text, so no column escapes.</li>
 * </ul>
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class RequestRecordPrivacyTest {

    static final String USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";
    static final String ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    static final String BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

    /** Every row of the tenant's log, each whole row as text. */
    static String rawLog(String tenant) {
        return Db.rows("SELECT e::text AS r FROM event e WHERE tenant_id = ? ORDER BY position", tenant).stream()
                .map(row -> (String) row.get("r"))
                .collect(Collectors.joining("\n"));
    }

    static long events(String tenant) {
        return Db.count("SELECT count(*) FROM event WHERE tenant_id = ?", tenant);
    }

    static void refusedAsAmbiguous(Response r) {
        r.then()
                .statusCode(400)
                .body("scimType", equalTo("invalidSyntax"))
                .body("schemas[0]", equalTo("urn:ietf:params:scim:api:messages:2.0:Error"));
        assertTrue(r.path("detail").toString().contains("ambiguous"), r.asString());
    }

    @Test
    void requestsThatNameAMemberTwiceAreRefusedThroughEveryWritePathAndLeaveNoTrace() {
        String t = "ambiguous-" + UUID.randomUUID();
        String secret = "Clear" + UUID.randomUUID().toString().substring(0, 8);
        String user = Scim.createUser(t, "amb-" + UUID.randomUUID());
        String group = Scim.createGroup(t, "Ambiguous group");
        long before = events(t);

        // PATCH: the operation from the report, path and value spelled twice, the envelope spelled twice
        refusedAsAmbiguous(Scim.idp(t)
                .body(patchBody("{\"op\":\"replace\",\"Path\":\"title\",\"path\":\"name.familyName\"," + "\"value\":\""
                        + secret + "\"}"))
                .patch("/scim/v2/Users/" + user));
        refusedAsAmbiguous(Scim.idp(t)
                .body(patchBody("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"harmless\"," + "\"VALUE\":\""
                        + secret + "\"}"))
                .patch("/scim/v2/Users/" + user));
        refusedAsAmbiguous(Scim.idp(t)
                .body(patchBody("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"harmless\"," + "\"value\":\""
                        + secret + "\"}"))
                .patch("/scim/v2/Users/" + user));
        refusedAsAmbiguous(Scim.idp(t)
                .body("{\"schemas\":[\"" + PATCH_OP + "\"],\"Operations\":[{\"op\":\"replace\","
                        + "\"path\":\"title\",\"value\":\"a\"}],\"operations\":[{\"op\":\"replace\",\"path\":\"name.familyName\","
                        + "\"value\":\"" + secret + "\"}]}")
                .patch("/scim/v2/Users/" + user));
        refusedAsAmbiguous(Scim.idp(t)
                .body(patchBody("{\"op\":\"replace\",\"value\":{\"nickName\":\"a\",\"NICKNAME\":\"" + secret + "\"}}"))
                .patch("/scim/v2/Users/" + user));
        refusedAsAmbiguous(Scim.idp(t)
                .body(patchBody("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"G\"," + "\"Value\":\""
                        + secret + "\"}"))
                .patch("/scim/v2/Groups/" + group));
        // PUT and POST: a resource naming an attribute twice, at the top and nested
        refusedAsAmbiguous(Scim.idp(t)
                .body("{\"schemas\":[\"" + USER_URN + "\"],\"userName\":\"put-" + user + "\",\"UserName\":\"" + secret
                        + "\"}")
                .put("/scim/v2/Users/" + user));
        refusedAsAmbiguous(Scim.idp(t)
                .body("{\"schemas\":[\"" + USER_URN + "\"],\"userName\":\"post-" + secret
                        + "\",\"name\":{\"familyName\":\"a\",\"FamilyName\":\"" + secret + "\"}}")
                .post("/scim/v2/Users"));
        refusedAsAmbiguous(Scim.idp(t)
                .body("{\"schemas\":[\"" + USER_URN + "\"],\"userName\":\"post2-" + secret
                        + "\",\"emails\":[{\"value\":\"a@example.com\",\"Value\":\"" + secret + "@example.com\"}]}")
                .post("/scim/v2/Users"));
        // Bulk: an operation naming path twice, and a resource inside data naming userName twice
        refusedAsAmbiguous(Scim.idp(t)
                .body("{\"schemas\":[\"" + BULK + "\"],\"Operations\":[{\"method\":\"PATCH\","
                        + "\"path\":\"/Users/" + user + "\",\"data\":"
                        + patchBody("{\"op\":\"replace\",\"path\":\"title\","
                                + "\"PATH\":\"name.familyName\",\"value\":\"" + secret + "\"}")
                        + "}]}")
                .post("/scim/v2/Bulk"));
        refusedAsAmbiguous(Scim.idp(t)
                .body("{\"schemas\":[\"" + BULK + "\"],\"Operations\":[{\"method\":\"POST\","
                        + "\"path\":\"/Users\",\"bulkId\":\"b1\",\"data\":{\"schemas\":[\"" + USER_URN
                        + "\"],\"userName\":\"x"
                        + "\",\"USERNAME\":\"" + secret + "\"}}]}")
                .post("/scim/v2/Bulk"));
        // a search naming filter twice
        refusedAsAmbiguous(Scim.idp(t)
                .body("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:SearchRequest\"],"
                        + "\"filter\":\"userName pr\",\"Filter\":\"title pr\"}")
                .post("/scim/v2/Users/.search"));

        assertEquals(before, events(t), "a refused request appends nothing");
        assertFalse(rawLog(t).contains(secret));
        Scim.idp(t).get("/scim/v2/Users/" + user).then().statusCode(200).body("title", equalTo(null));
    }

    @Test
    void personalValuesReachTheLogOnlySealedWhateverTheCasingOfTheirKeys() {
        String t = "casing-" + UUID.randomUUID();
        Random random = new Random(20261201L);
        List<String> personal = new ArrayList<>();
        List<String> readable = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
            Values v = new Values(random, round, personal, readable);
            // POST
            String id = Scim.idp(t)
                    .body("{" + q("schemas") + ":[\"" + USER_URN + "\",\"" + ENTERPRISE_URN + "\"],"
                            + v.key("userName") + ":\"" + v.personal("user") + "@example.com\","
                            + v.key("name") + ":{" + v.key("givenName") + ":\"" + v.personal("given") + "\","
                            + v.key("familyName") + ":\"" + v.personal("family") + "\"},"
                            + v.key("emails") + ":[{" + v.key("value") + ":\"" + v.personal("mail") + "@example.com\","
                            + v.key("type") + ":\"work\"}],"
                            + v.key("title") + ":\"" + v.readable("title") + "\","
                            + v.urn(ENTERPRISE_URN) + ":{" + v.key("department") + ":\"" + v.readable("dept") + "\"}}")
                    .post("/scim/v2/Users")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
            // PUT
            Scim.idp(t)
                    .body("{" + q("schemas") + ":[\"" + USER_URN + "\"],"
                            + v.key("userName") + ":\"" + v.personal("put-user") + "\","
                            + v.key("displayName") + ":\"" + v.personal("display") + "\","
                            + v.key("phoneNumbers") + ":[{" + v.key("value") + ":\"+1" + v.personal("phone") + "\"}],"
                            + v.key("addresses") + ":[{" + v.key("streetAddress") + ":\"" + v.personal("street")
                            + "\"}],"
                            + v.key("title") + ":\"" + v.readable("put-title") + "\"}")
                    .put("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(200);
            // PATCH: path operations, a no-path value, the enterprise extension by URN key
            String mail = v.personal("patch-mail");
            Scim.idp(t)
                    .body(patchBody("{" + v.key("op") + ":\"add\"," + v.key("path") + ":\"" + v.keyText("emails")
                            + "\","
                            + v.key("value") + ":[{\"value\":\"" + mail + "@example.com\",\"type\":\"home\"}]},"
                            + "{" + v.key("op") + ":\"replace\"," + v.key("path") + ":\"" + v.keyText("emails")
                            + "[type eq "
                            + "\\\"home\\\"]." + v.keyText("value") + "\"," + v.key("value") + ":\""
                            + v.personal("patched-mail") + "@example.com\"},"
                            + "{" + v.key("op") + ":\"replace\"," + v.key("path") + ":\"" + v.keyText("name.familyName")
                            + "\","
                            + v.key("value") + ":\"" + v.personal("patched-family") + "\"},"
                            + "{" + v.key("op") + ":\"replace\"," + v.key("value") + ":{" + v.key("nickName") + ":\""
                            + v.personal("nick") + "\"," + v.key("title") + ":\"" + v.readable("patch-title") + "\","
                            + v.urn(ENTERPRISE_URN) + ":{" + v.key("division") + ":\"" + v.readable("div") + "\"}}}"))
                    .patch("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(200);
            // Bulk: a PATCH and a POST
            Scim.idp(t)
                    .body("{" + q("schemas") + ":[\"" + BULK + "\"]," + v.key("Operations") + ":["
                            + "{" + v.key("method") + ":\"PATCH\"," + v.key("path") + ":\"/Users/" + id + "\","
                            + v.key("data") + ":"
                            + patchBody("{" + v.key("op") + ":\"replace\"," + v.key("path") + ":\""
                                    + v.keyText("profileUrl") + "\"," + v.key("value") + ":\"https://example.com/"
                                    + v.personal("profile") + "\"}")
                            + "},"
                            + "{" + v.key("method") + ":\"POST\"," + v.key("path") + ":\"/Users\"," + v.key("bulkId")
                            + ":\"b" + round + "\"," + v.key("data") + ":{" + q("schemas") + ":[\"" + USER_URN + "\"],"
                            + v.key("userName") + ":\"" + v.personal("bulk-user") + "\"," + v.key("name") + ":{"
                            + v.key("formatted") + ":\"" + v.personal("bulk-formatted") + "\"}}}]}")
                    .post("/scim/v2/Bulk")
                    .then()
                    .statusCode(200)
                    .body("Operations.status", equalTo(List.of("200", "201")));
            // Groups: a member's display (Okta sends the member's email) through POST, PATCH, PUT and Bulk; the log
            // may hold it only sealed under the member user's key
            String other = Scim.createUser(t, "member-" + round + "-" + UUID.randomUUID());
            String memberPost = v.personal("member-post") + "@example.com";
            String g = Scim.idp(t)
                    .body("{" + q("schemas") + ":[\"" + GROUP_URN + "\"]," + v.key("displayName") + ":\""
                            + v.readable("group") + "\"," + v.key("members") + ":[{" + v.key("value") + ":\"" + id
                            + "\","
                            + v.key("display") + ":\"" + memberPost + "\"}]}")
                    .post("/scim/v2/Groups")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
            String memberPatch = v.personal("member-patch") + "@example.com";
            Scim.idp(t)
                    .body(patchBody("{" + v.key("op") + ":\"add\"," + v.key("path") + ":\"" + v.keyText("members")
                            + "\"," + v.key("value") + ":[{" + v.key("value") + ":\"" + other + "\"," + v.key("display")
                            + ":\""
                            + memberPatch + "\"}]}"))
                    .patch("/scim/v2/Groups/" + g)
                    .then()
                    .statusCode(200);
            Scim.idp(t)
                    .body("{" + q("schemas") + ":[\"" + GROUP_URN + "\"]," + v.key("displayName") + ":\""
                            + v.readable("put-group") + "\"," + v.key("members") + ":[{" + v.key("value") + ":\"" + id
                            + "\","
                            + v.key("display") + ":\"" + v.personal("member-put") + "\"},{\"value\":\"" + other
                            + "\"}]}")
                    .put("/scim/v2/Groups/" + g)
                    .then()
                    .statusCode(200);
            Scim.idp(t)
                    .body("{" + q("schemas") + ":[\"" + BULK + "\"]," + v.key("Operations") + ":[{" + v.key("method")
                            + ":\"POST\"," + v.key("path") + ":\"/Groups\"," + v.key("bulkId") + ":\"g" + round + "\","
                            + v.key("data") + ":{" + v.key("displayName") + ":\"" + v.readable("bulk-group") + "\","
                            + v.key("members") + ":[{\"value\":\"" + other + "\",\"display\":\""
                            + v.personal("member-bulk")
                            + "\"}]}}]}")
                    .post("/scim/v2/Bulk")
                    .then()
                    .statusCode(200)
                    .body("Operations.status", equalTo(List.of("201")));
            Scim.idp(t)
                    .get("/scim/v2/Groups/" + g)
                    .then()
                    .statusCode(200)
                    .body("members.find { it.value == '" + id + "' }.display", equalTo(memberPost))
                    .body("members.find { it.value == '" + other + "' }.display", equalTo(memberPatch));
            // what was sent was applied (so the record below is the record of real changes)
            Scim.idp(t)
                    .get("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(200)
                    .body("name.familyName", equalTo(v.last("patched-family")))
                    .body("nickName", equalTo(v.last("nick")))
                    .body("profileUrl", equalTo("https://example.com/" + v.last("profile")));
        }

        String log = rawLog(t);
        List<String> leaked = personal.stream().filter(log::contains).toList();
        assertEquals(List.of(), leaked, "personal values in clear in the log");
        // the search can see clear text: every non-personal marker is there to find
        List<String> missing = readable.stream().filter(s -> !log.contains(s)).toList();
        assertEquals(List.of(), missing, "non-personal values should stay readable in the log");
        assertTrue(log.contains("\"operations\""), "the PATCH record is in the log");
    }

    static String patchBody(String operations) {
        return "{\"schemas\":[\"" + PATCH_OP + "\"],\"Operations\":[" + operations + "]}";
    }

    static String q(String s) {
        return "\"" + s + "\"";
    }

    /** Random spellings of member names and unique, recognisable values for one round. */
    static final class Values {
        private final Random random;
        private final int round;
        private final List<String> personal;
        private final List<String> readable;
        private final java.util.Map<String, String> last = new java.util.HashMap<>();

        Values(Random random, int round, List<String> personal, List<String> readable) {
            this.random = random;
            this.round = round;
            this.personal = personal;
            this.readable = readable;
        }

        String keyText(String name) {
            StringBuilder b = new StringBuilder(name.length());
            for (char c : name.toCharArray()) {
                b.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
            }
            return b.toString();
        }

        String key(String name) {
            return q(keyText(name));
        }

        /** Extension URNs in canonical or lower-case spelling (both are the same schema). */
        String urn(String urn) {
            return q(random.nextBoolean() ? urn : urn.toLowerCase(Locale.ROOT));
        }

        String personal(String what) {
            String v = "pv" + round + what.replace("-", "")
                    + UUID.randomUUID().toString().substring(0, 8);
            personal.add(v);
            last.put(what, v);
            return v;
        }

        String readable(String what) {
            String v = "rv" + round + what.replace("-", "")
                    + UUID.randomUUID().toString().substring(0, 8);
            readable.add(v);
            return v;
        }

        String last(String what) {
            return last.get(what);
        }
    }
}
