package io.scimledger.conformance;

import static io.restassured.RestAssured.given;
import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.scimledger.it.Db;
import io.scimledger.it.Scim;
import io.scimledger.it.Tokens;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 9: text the database cannot hold (U+0000) is 400 invalidValue wherever it enters, before the
 * database; and a seeded hostile-input fuzzer over filters, sortBy, attributes, PATCH paths and values, bodies,
 * Bulk and audit parameters never gets a 5xx. The seed is fixed so a failure replays exactly; the request count is
 * bounded so the test costs seconds.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class HostileInputTest {

    private static final String NUL = "\u0000";
    private static final String NUL_JSON = "\\u0000"; // the JSON escape, as a client sends it in a body

    private static RequestSpecification auditor(String tenant) {
        return given().auth()
                .oauth2(Tokens.token(tenant, "auditor-" + tenant, Scopes.AUDIT_READ))
                .accept("application/json");
    }

    private static long events(String tenant) {
        return Db.count("SELECT count(*) FROM event WHERE tenant_id = ?", tenant);
    }

    @Test
    void nulCharacterIs400InvalidValueWhereverTextEnters() {
        String t = Conf.tenant("nul");
        String u = Scim.createUser(t, "nul.user");
        String g = Scim.createGroup(t, "NulGroup");
        long before = events(t);
        List<Response> answers = new ArrayList<>();
        // bodies: a string value, a member name, a value of every type family, stringified JSON (Entra roles)
        answers.add(idp(t).body("{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"a" + NUL_JSON + "b\"}")
                .post("/scim/v2/Users"));
        answers.add(idp(t).body(
                        "{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"x\",\"nick" + NUL_JSON + "Name\":\"n\"}")
                .post("/scim/v2/Users"));
        answers.add(idp(t).body("{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"x\",\"roles\":[{\"value\":"
                        + "\"{\\\"value\\\":\\\"a\\\\u0000\\\"}\"}]}")
                .post("/scim/v2/Users"));
        answers.add(idp(t).body("{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"nul.user\",\"title\":\"" + NUL_JSON
                        + "\"}")
                .put("/scim/v2/Users/" + u));
        answers.add(Scim.idp(t)
                .body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"" + NUL_JSON + "\"}]"))
                .patch("/scim/v2/Users/" + u));
        answers.add(Scim.idp(t)
                .body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"emails[type eq \\\"" + NUL_JSON
                        + "\\\"].value\",\"value\":\"a\"}]"))
                .patch("/scim/v2/Users/" + u));
        answers.add(Scim.idp(t)
                .body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"G" + NUL_JSON + "\"}]"))
                .patch("/scim/v2/Groups/" + g));
        answers.add(idp(t).body("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":["
                        + "{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"b\",\"data\":{\"userName\":\""
                        + NUL_JSON
                        + "\"}}]}")
                .post("/scim/v2/Bulk"));
        answers.add(idp(t).body(
                        "{\"schemas\":[\"" + Conf.SEARCH + "\"],\"filter\":\"userName eq \\\"" + NUL_JSON + "\\\"\"}")
                .post("/scim/v2/Users/.search"));
        // query parameters: the issue's filter, sortBy, attributes, cursor, audit bounds
        answers.add(idp(t).queryParam("filter", "emails[type eq \"work\"].value sw \"" + NUL + "\"")
                .get("/scim/v2/Users"));
        answers.add(
                idp(t).queryParam("filter", "displayName eq \"" + NUL + "\"").get("/scim/v2/Groups"));
        answers.add(idp(t).queryParam("sortBy", "userName" + NUL).get("/scim/v2/Users"));
        answers.add(idp(t).queryParam("attributes", NUL).get("/scim/v2/Users/" + u));
        answers.add(idp(t).queryParam("excludedAttributes", "emails" + NUL).get("/scim/v2/Users"));
        answers.add(idp(t).queryParam("cursor", NUL).get("/scim/v2/Users"));
        answers.add(auditor(t).queryParam("subject", "s" + NUL).get("/audit/changes"));
        answers.add(auditor(t).queryParam("time", "2026-01-01T00:00:00Z" + NUL).get("/audit/Users/" + u + "/as-of"));
        answers.add(auditor(t).queryParam("limit", NUL).get("/audit/deprovisionings"));
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            Response r = answers.get(i);
            if (r.statusCode() != 400 || !"invalidValue".equals(r.path("scimType"))) {
                wrong.add("case " + i + ": " + r.statusCode() + " " + r.asString());
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertEquals(before, events(t));
        idp(t).get("/scim/v2/Users/" + u).then().statusCode(200).body("userName", equalTo("nul.user"));
        // a stored header: the HTTP client or server may already drop the NUL; if it arrives it is a 400, never
        // the 500 PostgreSQL would cause
        Response h = idp(t).header("X-Request-Id", "req" + NUL + "id")
                .body(Conf.patchBody("[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"h\"}]"))
                .patch("/scim/v2/Users/" + u);
        assertTrue(
                h.statusCode() == 200 || (h.statusCode() == 400 && "invalidValue".equals(h.path("scimType"))),
                h.asString());
    }

    // ---- the fuzzer --------------------------------------------------------------------------------------------

    private static final String[] NAMES = {
        "userName",
        "displayName",
        "emails",
        "emails.value",
        "emails.type",
        "emails[type eq \"work\"].value",
        "name.givenName",
        "name",
        "active",
        "meta.lastModified",
        "meta",
        "members",
        "members.value",
        "groups.value",
        "x509Certificates.value",
        "title",
        "id",
        "externalId",
        Conf.ENTERPRISE + ":manager",
        Conf.ENTERPRISE + ":manager.value",
        Conf.USER + ":userName",
        "urn:x:y:z",
        "",
        ".",
        "a.b.c",
        "emails[",
        "emails]",
        "emails[type]",
        "$ref",
        "schemas",
        "password"
    };
    private static final String[] OPS = {
        "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "and", "or", "not", "EQ", "Eq"
    };
    private static final String[] VALUES = {
        "\"x\"",
        "\"\"",
        "1",
        "-1",
        "1.5",
        "1e309",
        "true",
        "false",
        "null",
        "\"2026-01-01T00:00:00Z\"",
        "\"2026-13-45\"",
        "[]",
        "{}",
        "\"\\\"\"",
        "\"\\\\\"",
        "\"" + NUL + "\"",
        "\"\uD800\"",
        "\"\uFFFF\"",
        "\"%\"",
        "\"_\"",
        "\"'\"",
        "\"😀\"",
        "99999999999999999999",
        "\"a\" \"b\""
    };
    private static final String[] PUNCTUATION = {
        "(", ")", "[", "]", "\"", "'", " ", ".", ":", ",", "\\", "%", "%00", NUL, "\t", "\n", "*", "!", "-", "=", "<",
        ">", "&", "?", "#", "/", "{", "}"
    };

    /** Attributes that filter, sort and PATCH accept, so a hostile value gets past parsing to where it is used. */
    private static final String[] STRING_PATHS = {
        "userName",
        "displayName",
        "title",
        "externalId",
        "nickName",
        "name.givenName",
        "emails.value",
        "emails[type eq \"work\"].value",
        Conf.ENTERPRISE + ":department"
    };

    private static final String[] HOSTILE_CHARS = {
        NUL, "\"", "\\", "\uD800", "\uFFFF", "%", "'", "😀", "\n", "_", "\u202E"
    };

    /** A plausible string with one hostile character somewhere in it (as raw Java text, not JSON-escaped). */
    private static String hostile(Random r) {
        String base = new String[] {"abc", "a@example.com", "", "Ω", "x y"}[r.nextInt(5)];
        int at = r.nextInt(base.length() + 1);
        // NUL half the time: it is the one character the database itself refuses (issue 12, item 9)
        String c = r.nextBoolean() ? NUL : HOSTILE_CHARS[r.nextInt(HOSTILE_CHARS.length)];
        return base.substring(0, at) + c + base.substring(at);
    }

    /** Java text as a JSON string literal. */
    private static String json(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** A well-formed filter whose value is hostile: what gets past the parser to the database. */
    private static String hostileFilter(Random r) {
        String value = hostile(r).replace("\\", "\\\\").replace("\"", "\\\"");
        return STRING_PATHS[r.nextInt(STRING_PATHS.length)] + " "
                + new String[] {"eq", "co", "sw", "ew", "gt"}[r.nextInt(5)] + " \"" + value + "\"";
    }

    private static String token(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> NAMES[r.nextInt(NAMES.length)];
            case 1 -> OPS[r.nextInt(OPS.length)];
            case 2 -> VALUES[r.nextInt(VALUES.length)];
            default -> PUNCTUATION[r.nextInt(PUNCTUATION.length)];
        };
    }

    /** 0 to 7 tokens, sometimes separated by spaces; sometimes a well-formed-looking expression. */
    private static String text(Random r) {
        if (r.nextInt(3) == 0) {
            return hostileFilter(r);
        }
        if (r.nextInt(4) == 0) {
            return NAMES[r.nextInt(NAMES.length)] + " " + OPS[r.nextInt(OPS.length)] + " "
                    + VALUES[r.nextInt(VALUES.length)];
        }
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) {
            b.append(token(r));
            if (r.nextBoolean()) {
                b.append(' ');
            }
        }
        return b.toString();
    }

    /** A JSON value, possibly malformed (the service must answer 400 invalidSyntax, not 500). */
    private static String jsonValue(Random r, int depth) {
        int k = r.nextInt(depth > 2 ? 3 : 7);
        return switch (k) {
            case 0, 1 -> json(hostile(r));
            case 6 -> VALUES[r.nextInt(VALUES.length)].replace(NUL, NUL_JSON);
            case 2 ->
                "\""
                        + text(r).replace("\\", "\\\\")
                                .replace("\"", "\\\"")
                                .replace(NUL, NUL_JSON)
                                .replace("\n", "\\n")
                                .replace("\t", "\\t")
                        + "\"";
            case 3 -> "[" + jsonValue(r, depth + 1) + (r.nextBoolean() ? "," + jsonValue(r, depth + 1) : "") + "]";
            case 4 ->
                "{\"" + NAMES[r.nextInt(NAMES.length)].replace("\"", "\\\"") + "\":" + jsonValue(r, depth + 1) + "}";
            default -> text(r); // raw, most likely not JSON
        };
    }

    private static String userBody(Random r) {
        StringBuilder b = new StringBuilder("{\"schemas\":[\"" + Conf.USER + "\",\"" + Conf.ENTERPRISE + "\"]");
        b.append(",\"userName\":").append(r.nextInt(3) == 0 ? jsonValue(r, 0) : "\"f" + r.nextInt(1_000_000) + "\"");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            b.append(",\"")
                    .append(NAMES[r.nextInt(NAMES.length)].replace("\"", "\\\""))
                    .append("\":")
                    .append(jsonValue(r, 0));
        }
        return b.append('}').toString();
    }

    private static String patchOps(Random r) {
        StringBuilder b = new StringBuilder("[");
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(',');
            }
            String op = new String[] {"add", "replace", "remove", "Add", "move", ""}[r.nextInt(6)];
            b.append("{\"op\":\"").append(op).append('"');
            if (r.nextInt(3) == 0) {
                b.append(",\"path\":").append(json(STRING_PATHS[r.nextInt(STRING_PATHS.length)]));
            } else if (r.nextInt(4) > 0) {
                b.append(",\"path\":")
                        .append(
                                r.nextBoolean()
                                        ? jsonValue(r, 2)
                                        : "\""
                                                + text(r).replace("\\", "\\\\")
                                                        .replace("\"", "\\\"")
                                                        .replace(NUL, NUL_JSON)
                                                        .replace("\n", "\\n")
                                                        .replace("\t", "\\t")
                                                + "\"");
            }
            if (r.nextInt(4) > 0) {
                b.append(",\"value\":").append(jsonValue(r, 0));
            }
            b.append('}');
        }
        return b.append(']').toString();
    }

    @Test
    void seededHostileInputNeverGetsA5xx() {
        String t = Conf.tenant("fuzz");
        String u = Conf.createUser(
                t,
                "{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"fuzz.target\","
                        + "\"emails\":[{\"value\":\"f@example.com\",\"type\":\"work\"}]}");
        String g = Scim.createGroup(t, "FuzzGroup");
        Random r = new Random(20261201L);
        List<String> failures = new ArrayList<>();
        int requests = 600;
        for (int i = 0; i < requests; i++) {
            String what;
            Response answer;
            switch (i % 10) {
                case 0 -> {
                    String f = text(r);
                    what = "GET /Users?filter=" + f;
                    answer = idp(t).queryParam("filter", f).get("/scim/v2/Users");
                }
                case 1 -> {
                    String f = text(r);
                    what = "GET /Groups?filter=" + f;
                    answer = idp(t).queryParam("filter", f).get("/scim/v2/Groups");
                }
                case 2 -> {
                    String s = text(r);
                    String a = text(r);
                    what = "GET /Users?sortBy=" + s + "&attributes=" + a;
                    answer = idp(t).queryParam("sortBy", s)
                            .queryParam("attributes", a)
                            .queryParam("sortOrder", r.nextBoolean() ? "descending" : text(r))
                            .get("/scim/v2/Users");
                }
                case 3 -> {
                    String a = text(r);
                    what = "GET /Groups/{id}?excludedAttributes=" + a;
                    answer = idp(t).queryParam("excludedAttributes", a).get("/scim/v2/Groups/" + g);
                }
                case 4 -> {
                    String ops = patchOps(r);
                    what = "PATCH /Users " + ops;
                    answer = idp(t).body(Conf.patchBody(ops)).patch("/scim/v2/Users/" + u);
                }
                case 5 -> {
                    String ops = patchOps(r);
                    what = "PATCH /Groups " + ops;
                    answer = idp(t).body(Conf.patchBody(ops)).patch("/scim/v2/Groups/" + g);
                }
                case 6 -> {
                    String body = userBody(r);
                    what = "POST /Users " + body;
                    answer = idp(t).body(body).post("/scim/v2/Users");
                }
                case 7 -> {
                    String body = "{\"schemas\":[\"" + Conf.SEARCH + "\"],\"filter\":" + jsonValue(r, 1)
                            + ",\"sortBy\":" + jsonValue(r, 2) + ",\"startIndex\":" + jsonValue(r, 2)
                            + ",\"count\":" + jsonValue(r, 2) + ",\"attributes\":" + jsonValue(r, 2) + "}";
                    what = "POST /Users/.search " + body;
                    answer = idp(t).body(body).post("/scim/v2/Users/.search");
                }
                case 8 -> {
                    String body = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],"
                            + "\"Operations\":[{\"method\":\""
                            + new String[] {"POST", "PATCH", "PUT", "DELETE", "GET"}[r.nextInt(5)] + "\",\"path\":"
                            + (r.nextBoolean() ? "\"/Users/" + u + "\"" : jsonValue(r, 2))
                            + ",\"bulkId\":" + jsonValue(r, 2) + ",\"data\":"
                            + (r.nextBoolean()
                                    ? userBody(r)
                                    : "{\"schemas\":[\"" + Conf.PATCH_OP + "\"],\"Operations\":" + patchOps(r) + "}")
                            + "}]}";
                    what = "POST /Bulk " + body;
                    answer = idp(t).body(body).post("/scim/v2/Bulk");
                }
                default -> {
                    String[] params = {"time", "from", "to", "limit", "after", "at", "subject", "clientId", "format"};
                    String p = params[r.nextInt(params.length)];
                    String v = r.nextBoolean() ? text(r) : VALUES[r.nextInt(VALUES.length)];
                    String[] paths = {
                        "/audit/Users/" + u + "/as-of",
                        "/audit/Users/" + u + "/history",
                        "/audit/deprovisionings",
                        "/audit/changes?subject=s",
                        "/audit/Users/" + u + "/memberships"
                    };
                    String path = paths[r.nextInt(paths.length)];
                    what = "GET " + path + " " + p + "=" + v;
                    answer = auditor(t).queryParam(p, v).get(path);
                }
            }
            // Bulk answers 200 with a status per operation: those must not be 5xx either
            boolean bulk5xx = answer.statusCode() == 200
                    && what.startsWith("POST /Bulk")
                    && answer.asString().matches("(?s).*\"status\"\\s*:\\s*\"5\\d\\d\".*");
            if (answer.statusCode() >= 500 || bulk5xx) {
                failures.add(answer.statusCode() + " for " + what.replace(NUL, "\\u0000") + " -> " + answer.asString());
            }
        }
        assertTrue(
                failures.isEmpty(),
                failures.size() + " of " + requests + " answers were 5xx:\n" + String.join("\n", failures));
    }
}
