package io.scimledger.it;

import static io.scimledger.it.Scim.idp;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;

/** RFC 7644 section 4: discovery describes what the server really does. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class DiscoveryTest {

    @Test
    void serviceProviderConfigTellsTheTruth() {
        idp("disc")
                .get("/scim/v2/ServiceProviderConfig")
                .then()
                .statusCode(200)
                .body("patch.supported", equalTo(true))
                .body("bulk.supported", equalTo(true))
                .body("filter.supported", equalTo(true))
                .body("filter.maxResults", equalTo(200))
                .body("etag.supported", equalTo(true))
                .body("changePassword.supported", equalTo(false))
                .body("authenticationSchemes[0].type", equalTo("oauthbearertoken"));
    }

    @Test
    void resourceTypesAndSchemas() {
        idp("disc")
                .get("/scim/v2/ResourceTypes")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(2))
                .body("Resources.endpoint", hasItems("/Users", "/Groups"))
                .body(
                        "Resources.find { it.id == 'User' }.schemaExtensions[0].schema",
                        equalTo("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
        idp("disc")
                .get("/scim/v2/Schemas")
                .then()
                .statusCode(200)
                .body(
                        "Resources.id",
                        hasItems(
                                "urn:ietf:params:scim:schemas:core:2.0:User",
                                "urn:ietf:params:scim:schemas:core:2.0:Group",
                                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
        idp("disc")
                .get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
                .then()
                .statusCode(200)
                .body("attributes.find { it.name == 'userName' }.uniqueness", equalTo("server"))
                .body("attributes.find { it.name == 'password' }.returned", equalTo("never"))
                .body("attributes.name", hasItem("emails"));
        idp("disc")
                .get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
                .then()
                .body("attributes.name", hasItem("manager"));
    }

    @Test
    void enterpriseExtensionRoundTrips() {
        String t = "disc-ext";
        String manager = Scim.createUser(t, "boss");
        String id = idp(t).body("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "userName":"worker","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701",
                 "manager":{"value":"%s"}}}""".formatted(manager))
                .post("/scim/v2/Users")
                .then()
                .statusCode(201)
                .body("schemas", hasItem("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"))
                .extract()
                .path("id");
        idp(t).queryParam(
                        "filter",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"701\"")
                .get("/scim/v2/Users")
                .then()
                .statusCode(200)
                .body("totalResults", equalTo(1))
                .body("Resources[0].id", equalTo(id));
    }
}
