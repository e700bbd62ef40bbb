package io.scimledger.ops;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Tokens;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 5: with io.scimledger at DEBUG, provisioning a user with recognisable personal values, a password
 * and a bearer token leaves none of them in any log line, and the lines logged for a request carry its request id
 * and tenant.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class LogPrivacyTest {

    private static final String TENANT = "log-privacy";
    private static final String USER_NAME = "zelda.probe7731@example.org";
    private static final String EMAIL = "zp7731.work@example.net";
    private static final String GIVEN = "Zeldaprobe";
    private static final String FAMILY = "Quixotrix";
    private static final String PASSWORD = "S3cret-Probe-Pass-9931";
    private static final String NEW_PASSWORD = "An0ther-Probe-Pass-4417";

    /** Captures every record, formatted the way a handler would print it, with its MDC. */
    static final class Capture extends Handler {
        final List<String> lines = new ArrayList<>();
        final List<Map<String, String>> mdcs = new ArrayList<>();

        @Override
        public synchronized void publish(LogRecord r) {
            StringBuilder line = new StringBuilder(r.getLoggerName()).append(' ');
            line.append(r instanceof ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage());
            if (r.getThrown() != null) {
                StringWriter trace = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(trace));
                line.append('\n').append(trace);
            }
            lines.add(line.toString());
            mdcs.add(r instanceof ExtLogRecord ext ? ext.getMdcCopy() : Map.of());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @Test
    void noPersonalDataPasswordOrTokenInAnyLogLine() {
        String token = Tokens.idp(TENANT);
        Logger app = Logger.getLogger("io.scimledger");
        Logger root = Logger.getLogger("");
        Level before = app.getLevel();
        Capture capture = new Capture();
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        app.setLevel(org.jboss.logmanager.Level.DEBUG);
        String requestId = "log-privacy-request-1";
        try {
            String user = """
                    {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s",
                     "name":{"givenName":"%s","familyName":"%s"},"password":"%s",
                     "emails":[{"value":"%s","type":"work","primary":true}],"unknownProbeAttribute":"%s"}
                    """.formatted(USER_NAME, GIVEN, FAMILY, PASSWORD, EMAIL, FAMILY);
            String id = given().auth()
                    .oauth2(token)
                    .contentType("application/scim+json")
                    .header("X-Request-Id", requestId)
                    .body(user)
                    .post("/scim/v2/Users")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
            // the paths that carry personal data another way: a duplicate, a filter, a PATCH with a password, a
            // PUT, malformed JSON around a password, and a token that is not accepted
            given().auth()
                    .oauth2(token)
                    .contentType("application/scim+json")
                    .body(user)
                    .post("/scim/v2/Users")
                    .then()
                    .statusCode(409);
            given().auth()
                    .oauth2(token)
                    .queryParam("filter", "userName eq \"" + USER_NAME + "\"")
                    .get("/scim/v2/Users")
                    .then()
                    .statusCode(200);
            given().auth()
                    .oauth2(token)
                    .queryParam("filter", "emails[value eq \"" + EMAIL + "\"")
                    .get("/scim/v2/Users")
                    .then()
                    .statusCode(400);
            given().auth()
                    .oauth2(token)
                    .contentType("application/scim+json")
                    .body("""
                    {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                     "Operations":[{"op":"replace","path":"password","value":"%s"},
                                   {"op":"replace","path":"name.familyName","value":"%s"}]}
                    """.formatted(NEW_PASSWORD, FAMILY))
                    .patch("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(200);
            given().auth()
                    .oauth2(token)
                    .contentType("application/scim+json")
                    .body("{\"userName\":\"" + USER_NAME + "\",\"password\":\"" + PASSWORD + "\",")
                    .put("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(400);
            given().auth()
                    .oauth2(token + "x")
                    .get("/scim/v2/Users/" + id)
                    .then()
                    .statusCode(401);
            given().auth().oauth2(token).get("/scim/v2/Users/" + id).then().statusCode(200);
        } finally {
            root.removeHandler(capture);
            app.setLevel(before);
        }

        List<String> lines;
        List<Map<String, String>> mdcs;
        synchronized (capture) {
            lines = List.copyOf(capture.lines);
            mdcs = List.copyOf(capture.mdcs);
        }
        String all = String.join("\n", lines);
        String tokenSignature = token.substring(token.lastIndexOf('.') + 1);
        String tokenPayload = token.split("\\.")[1];
        for (String secret : List.of(
                USER_NAME,
                "zelda.probe7731",
                EMAIL,
                "zp7731",
                GIVEN,
                FAMILY,
                PASSWORD,
                NEW_PASSWORD,
                token,
                tokenPayload,
                tokenSignature)) {
            assertFalse(all.contains(secret), "the log holds '" + secret + "':\n" + all);
        }
        // The request was logged at all (the DEBUG line of RequestLogContext), and with its id and tenant.
        boolean tagged = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(RequestLogContext.class.getName())
                    && requestId.equals(mdcs.get(i).get(RequestLogContext.REQUEST_ID))) {
                assertTrue(TENANT.equals(mdcs.get(i).get(RequestLogContext.TENANT)), "tenant in " + mdcs.get(i));
                tagged = true;
            }
        }
        assertTrue(tagged, "no line of the create request carried its request id:\n" + all + "\n" + mdcs);
    }
}
