package io.scimledger.conformance;

import static io.restassured.RestAssured.given;
import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;

/** RFC 7644 section 4 / RFC 7643 sections 5-7. DiscoveryTest covers the SPC flags and the schema list. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class DiscoveryConformanceTest {

    @Test
    void rfc7644_4_serviceProviderConfigHasSchemasMetaAndSortFlag() {
        idp(Conf.tenant("disc"))
                .get("/scim/v2/ServiceProviderConfig")
                .then()
                .statusCode(200)
                .body("schemas", hasItem("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"))
                .body("sort.supported", equalTo(true))
                .body("bulk.maxOperations", notNullValue())
                .body("bulk.maxPayloadSize", notNullValue())
                .body("meta.resourceType", equalTo("ServiceProviderConfig"));
    }

    @Test
    void rfc7644_4_resourceTypeAndSchemaByIdAnd404() {
        String t = Conf.tenant("disc");
        idp(t).get("/scim/v2/ResourceTypes/User")
                .then()
                .statusCode(200)
                .body("endpoint", equalTo("/Users"))
                .body("schema", equalTo(Conf.USER))
                .body("meta.resourceType", equalTo("ResourceType"));
        idp(t).get("/scim/v2/ResourceTypes/Group").then().statusCode(200).body("endpoint", equalTo("/Groups"));
        idp(t).get("/scim/v2/ResourceTypes/Printer").then().statusCode(404).body("status", equalTo("404"));
        idp(t).get("/scim/v2/Schemas/" + Conf.GROUP)
                .then()
                .statusCode(200)
                .body("attributes.name", hasItem("members"))
                .body("attributes.find { it.name == 'members' }.subAttributes.name", hasItem("value"));
        idp(t).get("/scim/v2/Schemas/urn:example:unknown")
                .then()
                .statusCode(404)
                .body("status", equalTo("404"));
        idp(t).get("/scim/v2/Schemas")
                .then()
                .statusCode(200)
                .body("Resources.meta.resourceType", everyItem(equalTo("Schema")))
                .body("totalResults", equalTo(6)); // User, Enterprise User, Group and RFC 7643 section 7's three
    }

    @Test
    void rfc7643_7_schemaAttributesDescribeCharacteristics() {
        String t = Conf.tenant("disc");
        idp(t).get("/scim/v2/Schemas/" + Conf.USER)
                .then()
                .statusCode(200)
                .body("attributes.find { it.name == 'userName' }.required", equalTo(true))
                .body("attributes.find { it.name == 'userName' }.caseExact", equalTo(false))
                .body("attributes.find { it.name == 'groups' }.mutability", equalTo("readOnly"))
                .body("attributes.find { it.name == 'password' }.mutability", equalTo("writeOnly"))
                .body("attributes.find { it.name == 'emails' }.multiValued", equalTo(true));
    }

    @Test
    void rfc7644_4_discoveryNeedsAuthenticationToo() {
        given().get("/scim/v2/ResourceTypes").then().statusCode(401).body("status", equalTo("401"));
        given().get("/scim/v2/Schemas").then().statusCode(401);
    }
}
