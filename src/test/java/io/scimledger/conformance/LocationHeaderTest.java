package io.scimledger.conformance;

import static io.scimledger.conformance.Conf.idp;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.it.Scim;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 3: every single-resource answer carries Location = meta.location (RFC 7644 sections 3.3, 3.4.1,
 * 3.5.1, 3.5.2 show it; Okta's review suite checks it), also when the client excluded meta from the body.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class LocationHeaderTest {

    @Test
    void rfc7644_locationOnPostGetPutAndPatchForUsersAndGroups() {
        String t = Conf.tenant("loc");
        for (String[] r : new String[][] {
            {"/scim/v2/Users", "{\"schemas\":[\"" + Conf.USER + "\"],\"userName\":\"loc\"}", "title"},
            {"/scim/v2/Groups", "{\"schemas\":[\"" + Conf.GROUP + "\"],\"displayName\":\"Loc\"}", "externalId"}
        }) {
            String location = idp(t).body(r[1])
                    .post(r[0])
                    .then()
                    .statusCode(201)
                    .extract()
                    .header("Location");
            String id = location.substring(location.lastIndexOf('/') + 1);
            idp(t).get(r[0] + "/" + id)
                    .then()
                    .statusCode(200)
                    .header("Location", equalTo(location))
                    .body("meta.location", equalTo(location));
            idp(t).body(r[1]).put(r[0] + "/" + id).then().statusCode(200).header("Location", equalTo(location));
            Scim.patch(t, r[0] + "/" + id, "[{\"op\":\"replace\",\"path\":\"" + r[2] + "\",\"value\":\"x\"}]")
                    .statusCode(200)
                    .header("Location", equalTo(location));
            // meta excluded from the body: the header is still there
            idp(t).queryParam("excludedAttributes", "meta")
                    .get(r[0] + "/" + id)
                    .then()
                    .statusCode(200)
                    .header("Location", equalTo(location))
                    .body("meta", nullValue());
            idp(t).queryParam("attributes", "id")
                    .body(r[1])
                    .put(r[0] + "/" + id)
                    .then()
                    .statusCode(200)
                    .header("Location", equalTo(location));
        }
    }
}
