package io.scimledger.scim.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one granularity of the {@code changed} list, for PUT, PATCH and creations alike (docs/events.md). */
class ChangedAttributesTest {

    static final String ENT = ScimSchemas.ENTERPRISE_USER_URN;

    static ObjectNode obj(String json) {
        try {
            return (ObjectNode) new ObjectMapper().readTree(json.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void topLevelNamesInSchemaOrderAndExtensionAttributesQualified() {
        ObjectNode before = obj("{'schemas':['x'],'userName':'a','title':'t','name':{'givenName':'A','familyName':'L'},"
                + "'" + ENT + "':{'department':'d','costCenter':'c'}}");
        ObjectNode after = obj("{'schemas':['y'],'externalId':'e','userName':'a','title':'t2',"
                + "'name':{'givenName':'B','familyName':'L'},'" + ENT + "':{'department':'d2','costCenter':'c'}}");
        assertEquals(
                List.of("externalId", "name", "title", ENT + ":department"),
                ChangedAttributes.between(ScimSchemas.USER_TYPE, before, after, false));
    }

    @Test
    void aRemovedExtensionListsEachOfItsAttributesNotTheUrn() {
        ObjectNode before = obj("{'userName':'a','" + ENT + "':{'department':'d','employeeNumber':'7'}}");
        ObjectNode after = obj("{'userName':'a'}");
        assertEquals(
                List.of(ENT + ":employeeNumber", ENT + ":department"),
                ChangedAttributes.between(ScimSchemas.USER_TYPE, before, after, false));
    }

    @Test
    void passwordOnlyWhenSuppliedAndNeverGroupMembers() {
        ObjectNode same = obj("{'userName':'a'}");
        assertEquals(List.of("password"), ChangedAttributes.between(ScimSchemas.USER_TYPE, same, same, true));
        assertEquals(List.of(), ChangedAttributes.between(ScimSchemas.USER_TYPE, same, same, false));
        assertEquals(
                List.of("displayName"),
                ChangedAttributes.between(
                        ScimSchemas.GROUP_TYPE,
                        obj("{'displayName':'a','members':[{'value':'1'}]}"),
                        obj("{'displayName':'b'}"),
                        false));
    }

    @Test
    void aCreationListsWhatItSet() {
        assertEquals(
                List.of("userName", "active", "password", ENT + ":manager"),
                ChangedAttributes.between(
                        ScimSchemas.USER_TYPE,
                        obj("{}"),
                        obj("{'schemas':['x'],'active':true,'userName':'u','" + ENT + "':{'manager':{'value':'m'}}}"),
                        true));
    }
}
