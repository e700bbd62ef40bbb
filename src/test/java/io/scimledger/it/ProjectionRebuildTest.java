package io.scimledger.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Projections dropped and rebuilt from the log answer exactly as before. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class ProjectionRebuildTest {

    @Test
    void rebuildFromTheLogGivesIdenticalApiAnswers() {
        String a = "rebuild-a-" + UUID.randomUUID();
        String b = "rebuild-b-" + UUID.randomUUID();
        List<String> paths = new ArrayList<>();
        for (String t : List.of(a, b)) {
            writeHistory(t, paths);
        }
        Map<String, String> before = snapshot(List.of(a, b), paths);
        Map<String, List<String>> rowsBefore = rawRows(List.of(a, b));
        String ourUsers = "SELECT count(*) FROM scim_user WHERE tenant_id IN (?, ?)";
        long usersBefore = Db.count(ourUsers, a, b);
        // Damage the projections to prove the rebuild really recomputes them.
        Db.rows("WITH d AS (DELETE FROM group_membership RETURNING 1) SELECT count(*) FROM d");
        Db.rows("WITH u AS (UPDATE scim_user SET doc = '{}'::jsonb RETURNING 1) SELECT count(*) FROM u");
        // The rebuild replays the whole log, every tenant's events: this one count is log-wide on purpose.
        long logSize = Db.count("SELECT count(*) FROM event");
        given().auth()
                .oauth2(Tokens.admin())
                .post("/admin/projections/rebuild")
                .then()
                .statusCode(200)
                .body("eventsReplayed", equalTo((int) logSize));
        assertEquals(usersBefore, Db.count(ourUsers, a, b));
        // The fold writes rows without the Projector's statements: every column of every row must be what the live
        // write path left (a token's last use, which the log does not hold, included).
        Map<String, List<String>> rowsAfter = rawRows(List.of(a, b));
        for (String table : rowsBefore.keySet()) {
            assertEquals(rowsBefore.get(table), rowsAfter.get(table), "rows of " + table + " changed by the rebuild");
        }
        Map<String, String> after = snapshot(List.of(a, b), paths);
        assertEquals(before.keySet(), after.keySet());
        for (String key : before.keySet()) {
            assertEquals(before.get(key), after.get(key), "answer changed after rebuild: " + key);
        }
        // Uniqueness claims are rebuilt too: a taken userName is still taken, a freed one is free.
        Scim.idp(a)
                .body("{\"userName\":\"KEEPER\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(409);
        Scim.createUser(a, "doomed");
    }

    /** Creates, PUTs, PATCHes, deletes and membership churn; records the paths worth reading back. */
    private static void writeHistory(String t, List<String> paths) {
        String keeper = Scim.createUser(t, "keeper");
        // values the rebuild's COPY text must escape (tab, newline, CR, backslash, a literal \N) beside quotes and
        // non-ASCII, in a user's columns and document, a group's display name and a member's display
        String escaped = Scim.idp(t)
                .body(
                        "{\"userName\":\"back\\\\slash \\\"q\\\" \u00e9\u2603\",\"displayName\":\"tab\\tnew\\nline\\rend\","
                                + "\"title\":\"\\\\N\",\"externalId\":\"x\\ty\\\\z\"}")
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String tabs = Scim.createGroup(t, "tab\\tgroup\\\\name");
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + tabs,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + escaped
                                + "\",\"display\":\"d\\tis\\\\play\"}]}]")
                .statusCode(200);
        String doomed = Scim.createUser(t, "doomed");
        String renamed = Scim.createUser(t, "before-rename");
        Scim.idp(t)
                .body("{\"userName\":\"after-rename\",\"title\":\"Boss\",\"active\":false}")
                .put("/scim/v2/Users/" + renamed)
                .then()
                .statusCode(200);
        Scim.patch(t, "/scim/v2/Users/" + keeper, """
                [{"op":"replace","value":{"name.givenName":"Kept","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"9"}},
                 {"op":"add","path":"phoneNumbers","value":[{"value":"+1 555","type":"work"}]}]""").statusCode(200);
        String g1 = Scim.createGroup(t, "Alpha");
        String g2 = Scim.createGroup(t, "Beta");
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g1,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + keeper + "\"},{\"value\":\""
                                + doomed + "\"},{\"value\":\"" + g2 + "\"}]}]")
                .statusCode(200);
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g2,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + renamed
                                + "\"}]},{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Beta2\"}]")
                .statusCode(200);
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + g1,
                        "[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + keeper + "\\\"]\"}]")
                .statusCode(200);
        Scim.idp(t).delete("/scim/v2/Users/" + doomed).then().statusCode(204);
        String g3 = Scim.createGroup(t, "Gamma");
        Scim.idp(t).delete("/scim/v2/Groups/" + g3).then().statusCode(204);
        // nested groups, a member display sealed under the member's key, a group deleted while a member of another
        String inner = Scim.createGroup(t, "Inner");
        String outer = Scim.createGroup(t, "Outer");
        String erased = Scim.createUser(t, "erased");
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + outer,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + inner
                                + "\",\"type\":\"Group\",\"display\":\"Inner as sent\"},{\"value\":\"" + keeper
                                + "\",\"display\":\"keeper@example.com\"},{\"value\":\"" + erased + "\"}]}]")
                .statusCode(200);
        Scim.patch(
                        t,
                        "/scim/v2/Groups/" + inner,
                        "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + renamed
                                + "\",\"display\":\"renamed display\"},{\"value\":\"" + g2 + "\"}]}]")
                .statusCode(200);
        Scim.idp(t).delete("/scim/v2/Groups/" + g2).then().statusCode(204);
        // an erased person: gone from the projections, their sealed values unreadable in the log
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{}")
                .post("/admin/tenants/" + t + "/Users/" + erased + "/erasure")
                .then()
                .statusCode(200);
        // the registry: settings, suspension, tokens issued, used and revoked
        given().auth()
                .oauth2(Tokens.admin())
                .contentType("application/json")
                .body("{}")
                .post("/admin/tenants/" + t + "/suspend")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(Tokens.admin())
                .post("/admin/tenants/" + t + "/resume")
                .then()
                .statusCode(200);
        String used = TenantCredentialsTest.issue(t, "{\"label\":\"used\",\"scopes\":[\"scim:read\"]}")
                .path("token");
        Scim.as(used).get("/scim/v2/Users?count=1").then().statusCode(200);
        String revoked = TenantCredentialsTest.issue(t, "{\"label\":\"revoked\",\"scopes\":[\"scim:read\"]}")
                .path("id");
        Scim.as(Tokens.tenantAdmin(t))
                .delete("/admin/tenants/" + t + "/credentials/" + revoked)
                .then()
                .statusCode(204);
        for (String id : List.of(erased)) {
            paths.add(t + "|/scim/v2/Users/" + id);
        }
        for (String id : List.of(inner, outer)) {
            paths.add(t + "|/scim/v2/Groups/" + id);
        }
        for (String id : List.of(keeper, doomed, renamed)) {
            paths.add(t + "|/scim/v2/Users/" + id);
        }
        for (String id : List.of(g1, g2, g3)) {
            paths.add(t + "|/scim/v2/Groups/" + id);
        }
    }

    /** Every projection row of the tenants, every column, as JSON text, in a fixed order. */
    static Map<String, List<String>> rawRows(List<String> tenants) {
        Map<String, String> orders = new LinkedHashMap<>();
        orders.put("scim_user", "id");
        orders.put("scim_group", "id");
        orders.put("group_membership", "group_id, member_id");
        orders.put("user_name_claim", "user_name_lower");
        orders.put("tenant", "tenant_id");
        orders.put("tenant_credential", "credential_id");
        Map<String, List<String>> out = new LinkedHashMap<>();
        String in = String.join(",", tenants.stream().map(x -> "?").toList());
        orders.forEach((table, order) -> out.put(
                table,
                Db.rows(
                                "SELECT to_jsonb(x)::text AS r FROM " + table + " x WHERE tenant_id IN (" + in
                                        + ") ORDER BY tenant_id, " + order,
                                tenants.toArray())
                        .stream()
                        .map(r -> (String) r.get("r"))
                        .toList()));
        return out;
    }

    private static Map<String, String> snapshot(List<String> tenants, List<String> paths) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : tenants) {
            out.put(
                    t + " users",
                    Scim.idp(t)
                            .get("/scim/v2/Users?count=200")
                            .then()
                            .statusCode(200)
                            .extract()
                            .asString());
            out.put(
                    t + " groups",
                    Scim.idp(t)
                            .get("/scim/v2/Groups?count=200")
                            .then()
                            .statusCode(200)
                            .extract()
                            .asString());
            out.put(
                    t + " filter",
                    Scim.idp(t)
                            .queryParam("filter", "userName eq \"AFTER-RENAME\"")
                            .get("/scim/v2/Users")
                            .then()
                            .extract()
                            .asString());
        }
        for (String p : paths) {
            String[] parts = p.split("\\|");
            var r = Scim.idp(parts[0]).get(parts[1]).then().extract();
            out.put(p, r.statusCode() + " " + r.asString());
        }
        return out;
    }
}
