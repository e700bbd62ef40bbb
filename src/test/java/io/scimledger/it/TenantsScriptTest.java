package io.scimledger.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** deploy/tenants.sh, the operator's CLI for the registry, against the running service. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class TenantsScriptTest {

    @TestHTTPResource("/")
    URL base;

    String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "deploy/tenants.sh"));
        command.addAll(List.of(args));
        // Output to a file, not a pipe: `list` prints every tenant of the suite, more than a pipe holds unread.
        java.nio.file.Path out = java.nio.file.Files.createTempFile("tenants-sh", ".out");
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("SCIM_URL", base.toString().replaceAll("/$", ""));
        pb.environment().put("SCIM_ADMIN_TOKEN", Tokens.admin());
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script finishes");
        String text = java.nio.file.Files.readString(out, StandardCharsets.UTF_8);
        java.nio.file.Files.delete(out);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    @Test
    void theScriptManagesTheRegistry() throws Exception {
        String t = "cli-" + UUID.randomUUID();
        assertTrue(run("create", t, "{\"strictMode\":true}").contains("\"strictMode\":true"));
        assertTrue(run("list").contains("\"name\":\"" + t + "\""));
        assertTrue(run("set", t, "{\"meEnabled\":true}").contains("\"meEnabled\":true"));
        String issued = run("token-issue", t, "okta \"prod\"", "scim:read scim:write");
        assertTrue(issued.contains("\"token\":\"slpt_") && issued.contains("okta \\\"prod\\\""), issued);
        String id = issued.replaceAll("(?s).*\"id\":\"([0-9a-f-]{36})\".*", "$1");
        Scim.as(issued.replaceAll("(?s).*\"token\":\"(slpt_[A-Za-z0-9_-]+)\".*", "$1"))
                .get("/scim/v2/Users")
                .then()
                .statusCode(200);
        assertTrue(run("token-list", t).contains(id));
        run("token-revoke", t, id);
        assertTrue(run("suspend", t, "contract ended").contains("\"status\":\"suspended\""));
        assertTrue(run("resume", t).contains("\"status\":\"active\""));
        run("delete", t);
        assertTrue(run("show", t).contains("\"status\":\"404\""));
    }
}
