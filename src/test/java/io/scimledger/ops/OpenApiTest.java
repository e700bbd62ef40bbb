package io.scimledger.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;

/** Issue 9, item 4: /q/openapi describes the SCIM, audit and admin endpoints. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class OpenApiTest {

    @Test
    void theDocumentListsScimAuditAndAdminPaths() {
        given().queryParam("format", "json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body("openapi", startsWith("3."))
                .body("info.title", equalTo("SCIM Ledger"))
                .body("paths", hasKey("/scim/v2/Users"))
                .body("paths", hasKey("/scim/v2/Users/{id}"))
                .body("paths", hasKey("/scim/v2/Groups"))
                .body("paths", hasKey("/scim/v2/Bulk"))
                .body("paths", hasKey("/admin/relay"))
                .body("paths", hasKey("/admin/projections/rebuild"))
                .body(
                        "paths.keySet().findAll { it.startsWith('/audit/') }.size()",
                        org.hamcrest.Matchers.greaterThan(3));
    }

    @Test
    void yamlByDefault() {
        given().get("/q/openapi").then().statusCode(200).body(startsWith("---"));
    }
}
