package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 7: /Schemas describes itself (RFC 7643 section 7 lists the ServiceProviderConfig, ResourceType and
 * Schema schemas) and every attribute's published characteristics are what the service enforces. The checks are
 * derived from /Schemas at run time, not written per attribute, so a schema change that the behaviour does not
 * follow (or the reverse) fails here.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class SchemasDescribeTheServiceTest {

    static final String SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    static final String RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
    static final String SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

    @SuppressWarnings("unchecked")
    static Map<String, Object> schema(String tenant, String id) {
        return idp(tenant)
                .get("/scim/v2/Schemas/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("$");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> attributes(Map<String, Object> holder, String key) {
        Object a = holder.get(key);
        return a == null ? List.of() : (List<Map<String, Object>>) a;
    }

    @Test
    void rfc7643_7_schemasListsTheDiscoverySchemasToo() {
        String t = Conf.tenant("schemas");
        List<String> ids = idp(t).get("/scim/v2/Schemas")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("Resources.id");
        assertTrue(
                ids.containsAll(List.of(Conf.USER, Conf.GROUP, Conf.ENTERPRISE, SPC, RESOURCE_TYPE, SCHEMA)),
                ids.toString());
    }

    /** A resource checked against its schema: required attributes present, every value of its declared type. */
    static void conforms(
            String where, Map<String, Object> resource, List<Map<String, Object>> attributes, List<String> problems) {
        for (Map<String, Object> a : attributes) {
            String name = (String) a.get("name");
            Object v = resource.get(name);
            if (v == null) {
                if (Boolean.TRUE.equals(a.get("required")) && !"never".equals(a.get("returned"))) {
                    problems.add(where + "." + name + " is required but absent");
                }
                continue;
            }
            if (Boolean.TRUE.equals(a.get("multiValued"))) {
                if (!(v instanceof List<?> list)) {
                    problems.add(where + "." + name + " is multiValued but not an array: " + v);
                    continue;
                }
                for (Object e : list) {
                    typed(where + "." + name + "[]", e, a, problems);
                }
            } else {
                typed(where + "." + name, v, a, problems);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static void typed(String where, Object v, Map<String, Object> a, List<String> problems) {
        String type = (String) a.get("type");
        boolean ok = switch (type) {
            case "string", "reference", "binary", "dateTime" -> v instanceof String;
            case "boolean" -> v instanceof Boolean;
            case "integer" -> v instanceof Integer || v instanceof Long;
            case "decimal" -> v instanceof Number;
            case "complex" -> v instanceof Map;
            default -> false;
        };
        if (!ok) {
            problems.add(where + " should be " + type + " but is " + v);
            return;
        }
        if ("complex".equals(type)) {
            conforms(where, (Map<String, Object>) v, attributes(a, "subAttributes"), problems);
        }
        if (a.get("canonicalValues") != null
                && "string".equals(type)
                && where.startsWith("/")
                && !((List<String>) a.get("canonicalValues")).contains(v)) {
            problems.add(where + " = " + v + " is none of the canonical values " + a.get("canonicalValues"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void rfc7643_5_6_7_discoveryResourcesMatchTheirPublishedSchemas() {
        String t = Conf.tenant("schemas");
        List<String> problems = new ArrayList<>();
        conforms(
                "/ServiceProviderConfig",
                idp(t).get("/scim/v2/ServiceProviderConfig")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getMap("$"),
                attributes(schema(t, SPC), "attributes"),
                problems);
        for (Map<String, Object> rt : idp(t).get("/scim/v2/ResourceTypes")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .<Map<String, Object>>getList("Resources")) {
            conforms(
                    "/ResourceTypes/" + rt.get("id"), rt, attributes(schema(t, RESOURCE_TYPE), "attributes"), problems);
        }
        for (Map<String, Object> s : idp(t).get("/scim/v2/Schemas")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .<Map<String, Object>>getList("Resources")) {
            conforms("/Schemas/" + s.get("id"), s, attributes(schema(t, SCHEMA), "attributes"), problems);
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    // ---- the resources' own schemas, checked against POST, GET and PUT ------------------------------------------

    /** A value of the declared type (for complex: every writable sub-attribute), or null when none can be made. */
    static Object sample(Map<String, Object> a, String tag) {
        String type = (String) a.get("type");
        Object one = switch (type) {
            case "string" -> "s-" + tag;
            case "reference" -> "https://example.com/" + tag;
            case "binary" -> "QUJD";
            case "boolean" -> Boolean.TRUE;
            case "integer" -> 7;
            case "decimal" -> 1.5;
            case "dateTime" -> "2026-01-02T03:04:05Z";
            case "complex" -> {
                Map<String, Object> o = new LinkedHashMap<>();
                for (Map<String, Object> sub : attributes(a, "subAttributes")) {
                    if (writable(sub)) {
                        o.put((String) sub.get("name"), sample(sub, tag + "-" + sub.get("name")));
                    }
                }
                yield o.isEmpty() ? null : o;
            }
            default -> null;
        };
        return one == null || !Boolean.TRUE.equals(a.get("multiValued")) ? one : List.of(one);
    }

    /** A value of the wrong JSON type for the attribute (never one of docs/compatibility.md's tolerated shapes). */
    static Object wrong(Map<String, Object> a) {
        return switch ((String) a.get("type")) {
            case "string", "reference", "binary", "dateTime" -> 42;
            case "boolean" -> "maybe";
            case "integer", "decimal" -> "7";
            default -> 42; // complex, single or multi: a number is neither an object nor an array
        };
    }

    static boolean writable(Map<String, Object> a) {
        return !"readOnly".equals(a.get("mutability"));
    }

    private static String toJson(Object o) {
        return io.scimledger.events.JsonSupport.MAPPER.valueToTree(o).toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void rfc7643_2_2_resourceSchemasDescribeWhatPostGetAndPutEnforce() {
        String t = Conf.tenant("schemas");
        String member = Scim.createUser(t, "schema.member");
        List<String> problems = new ArrayList<>();
        for (String[] r : new String[][] {{Conf.USER, "/scim/v2/Users"}, {Conf.GROUP, "/scim/v2/Groups"}}) {
            List<Map<String, Object>> attrs = attributes(schema(t, r[0]), "attributes");
            List<Map<String, Object>> ext =
                    r[0].equals(Conf.USER) ? attributes(schema(t, Conf.ENTERPRISE), "attributes") : List.of();
            // a full body: a sample for every writable attribute, the extension's too
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("schemas", ext.isEmpty() ? List.of(r[0]) : List.of(r[0], Conf.ENTERPRISE));
            for (Map<String, Object> a : attrs) {
                if (writable(a)) {
                    body.put((String) a.get("name"), sample(a, (String) a.get("name")));
                }
            }
            if (body.containsKey("members")) {
                body.put("members", List.of(Map.of("value", member, "type", "User", "display", "Shown")));
            }
            Map<String, Object> extBody = new LinkedHashMap<>();
            for (Map<String, Object> a : ext) {
                if (writable(a)) {
                    extBody.put((String) a.get("name"), sample(a, (String) a.get("name")));
                }
            }
            if (!extBody.isEmpty()) {
                body.put(Conf.ENTERPRISE, extBody);
            }
            // readOnly attributes sent by the client are ignored, never stored
            for (Map<String, Object> a : attrs) {
                if (!writable(a) && sample(a, "ro") != null) {
                    body.put((String) a.get("name"), sample(a, "ro"));
                }
            }
            Response created = idp(t).body(toJson(body)).post(r[1]);
            if (created.statusCode() != 201) {
                problems.add("POST " + r[1] + " with every writable attribute: " + created.statusCode() + " "
                        + created.asString());
                continue;
            }
            JsonPath got = created.jsonPath();
            String id = got.getString("id");
            Map<String, Object> stored = idp(t).get(r[1] + "/" + id)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getMap("$");
            List<Map<String, Object>> all = new ArrayList<>(attrs);
            for (Map<String, Object> a : all) {
                String name = (String) a.get("name");
                Object sent = body.get(name);
                Object back = stored.get(name);
                String returned = (String) a.get("returned");
                if ("never".equals(returned)) {
                    if (back != null) {
                        problems.add(r[1] + " " + name + " is returned=never but came back");
                    }
                } else if (writable(a) && sent != null && !name.equals("members")) {
                    if (!sent.equals(back)) {
                        problems.add(r[1] + " " + name + " sent " + sent + " but read back " + back);
                    }
                } else if (!writable(a) && back != null && back.equals(body.get(name))) {
                    problems.add(r[1] + " " + name + " is readOnly but the client's value was stored");
                }
                if ("always".equals(returned)
                        && idp(t).queryParam("attributes", "meta")
                                        .get(r[1] + "/" + id)
                                        .jsonPath()
                                        .get(name)
                                == null) {
                    problems.add(r[1] + " " + name + " is returned=always but missing under attributes=meta");
                }
            }
            if (!extBody.isEmpty() && !extBody.equals(stored.get(Conf.ENTERPRISE))) {
                problems.add(r[1] + " extension sent " + extBody + " but read back " + stored.get(Conf.ENTERPRISE));
            }
            // required: leaving out a required writable attribute is 400 invalidValue, on POST and PUT
            for (Map<String, Object> a : attrs) {
                if (Boolean.TRUE.equals(a.get("required")) && writable(a)) {
                    Map<String, Object> without = new LinkedHashMap<>(body);
                    without.remove(a.get("name"));
                    for (Response answer : List.of(
                            idp(t).body(toJson(without)).post(r[1]),
                            idp(t).body(toJson(without)).put(r[1] + "/" + id))) {
                        if (answer.statusCode() != 400 || !"invalidValue".equals(answer.path("scimType"))) {
                            problems.add(r[1] + " without required " + a.get("name") + ": " + answer.statusCode());
                        }
                    }
                }
            }
            // type and multiValued: a value of the wrong JSON type is 400 invalidValue, attribute by attribute
            for (Map<String, Object> a : attrs) {
                if (!writable(a) || "members".equals(a.get("name"))) {
                    continue;
                }
                Map<String, Object> bad = new LinkedHashMap<>(body);
                bad.put((String) a.get("name"), wrong(a));
                Response answer = idp(t).body(toJson(bad)).put(r[1] + "/" + id);
                if (answer.statusCode() != 400 || !"invalidValue".equals(answer.path("scimType"))) {
                    problems.add(r[1] + " " + a.get("name") + " = " + wrong(a) + ": " + answer.statusCode());
                }
                if ("complex".equals(a.get("type"))) {
                    for (Map<String, Object> sub : attributes(a, "subAttributes")) {
                        if (!writable(sub) || sample(a, "x") == null) {
                            continue;
                        }
                        Object container = sample(a, "x");
                        Map<String, Object> element = new LinkedHashMap<>(
                                (Map<String, Object>) (container instanceof List<?> l ? l.get(0) : container));
                        element.put((String) sub.get("name"), wrong(sub));
                        Map<String, Object> badSub = new LinkedHashMap<>(body);
                        badSub.put((String) a.get("name"), container instanceof List<?> ? List.of(element) : element);
                        Response subAnswer = idp(t).body(toJson(badSub)).put(r[1] + "/" + id);
                        if (subAnswer.statusCode() != 400 || !"invalidValue".equals(subAnswer.path("scimType"))) {
                            problems.add(r[1] + " " + a.get("name") + "." + sub.get("name") + " = " + wrong(sub) + ": "
                                    + subAnswer.statusCode());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
    }
}
