package io.scimledger.scim.patch;

import static io.scimledger.scim.patch.PatchEngineTest.group;
import static io.scimledger.scim.patch.PatchEngineTest.json;
import static io.scimledger.scim.patch.PatchEngineTest.obj;
import static io.scimledger.scim.patch.PatchEngineTest.ops;
import static io.scimledger.scim.patch.PatchEngineTest.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import io.scimledger.scim.schema.ScimSchemas;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the log keeps of a PATCH request: the record is judged by the same resolution that applied it, so no
 * personal value is ever kept in clear whatever the spelling of the members that carried it. The protector used
 * here marks what it is handed, so each assertion names exactly which values were protected.
 */
class OperationRecordTest {

    /** Records every value handed to the protector and replaces it with a marker. */
    private static final class Marking {
        final List<JsonNode> protectedValues = new ArrayList<>();

        JsonNode protect(JsonNode value) {
            protectedValues.add(value);
            return JsonNodeFactory.instance.objectNode().put("$enc", "sealed");
        }
    }

    private static String record(PatchEngine.PatchResult r, Marking m) {
        return r.operations().forLog(m::protect).toString();
    }

    @Test
    void personalValuesAreProtectedWhateverTheCaseOfTheMembersThatCarriedThem() {
        Marking m = new Marking();
        PatchEngine.PatchResult r = user("""
                {'OP':'Replace','PATH':'emails[type eq \\"work\\"].value','VALUE':'ada@example.com'},
                {'op':'remove','Path':'emails[value eq \\"b@home\\"]'},
                {'Op':'replace','Value':{'NAME.GIVENNAME':'Ada','Active':false}},
                {'op':'replace','path':'name.familyName','Value':'Lovelace'},
                {'op':'replace','path':'TITLE','value':'Countess'}""".replace("\n", ""));
        assertEquals("Lovelace", r.resource().path("name").path("familyName").asText(), "applied");
        String text = record(r, m);
        for (String personal : List.of("ada@example.com", "b@home", "Ada", "Lovelace")) {
            assertFalse(text.contains(personal), personal + " in " + text);
        }
        assertTrue(text.contains("\"TITLE\",\"value\":\"Countess\""), "non-personal values stay readable: " + text);
        assertTrue(text.contains("\"Active\":false"), text);
        assertEquals(
                5,
                m.protectedValues.size(),
                "both filters on emails, the email value, given name, family name: " + m.protectedValues);
    }

    @Test
    void theIssueExampleIsRefusedBeforeAnythingIsApplied() {
        ScimException e = assertThrows(
                ScimException.class,
                () -> user("{'op':'replace','Path':'title','path':'name.familyName','value':'X'}"));
        assertEquals(400, e.status());
        assertEquals("invalidSyntax", e.scimType());
        assertTrue(e.detail().contains("'Path'") && e.detail().contains("'path'"), e.detail());
        // and the same request as a client sends it never reaches the engine: the body parser refuses it
        String body = "{\"schemas\":[\"" + ScimSchemas.PATCH_OP_URN + "\"],\"Operations\":[{\"op\":\"replace\","
                + "\"Path\":\"title\",\"path\":\"name.familyName\",\"value\":\"X\"}]}";
        assertThrows(JsonMembers.AmbiguousMemberException.class, () -> JsonMembers.parseRequest(body));
        assertThrows(
                JsonMembers.AmbiguousMemberException.class,
                () -> JsonMembers.parseRequest(
                        "{\"Operations\":[{\"op\":\"add\",\"path\":\"title\",\"value\":\"a\",\"value\":\"b\"}]}"));
    }

    @Test
    void extraMembersAndIgnoredKeysAreProtectedBecauseTheyWereNotApplied() {
        Marking m = new Marking();
        PatchEngine.PatchResult r = user("{'op':'replace','path':'title','value':'Countess','note':'Ada L.'},"
                + "{'op':'replace','value':{'favouriteColour':'Ada blue','id':'Ada-id','nickName':'Ada'}}");
        String text = record(r, m);
        assertFalse(text.contains("Ada"), text);
        assertEquals(4, m.protectedValues.size(), "note, unknown key, read-only id, personal nickName: " + text);
    }

    @Test
    void passwordsAreRedactedNeverSealed() {
        Marking m = new Marking();
        String text = record(
                user("{'op':'replace','path':'PASSWORD','value':'s3cret'},"
                        + "{'op':'replace','value':{'Password':'other'}}"),
                m);
        assertFalse(text.contains("s3cret") || text.contains("other"), text);
        assertEquals(2, text.split("\\[redacted]", -1).length - 1, text);
        assertTrue(m.protectedValues.isEmpty(), "a password is not even kept encrypted");
    }

    @Test
    void enterpriseExtensionByUrnKeyKeepsNonPersonalValuesReadable() {
        Marking m = new Marking();
        String ent = ScimSchemas.ENTERPRISE_USER_URN;
        String text = record(
                user("{'op':'replace','value':{'" + ent.toLowerCase() + "':{'Department':'R&D'}}},"
                        + "{'op':'replace','path':'" + ent
                        + ":manager','value':{'value':'m2','displayName':'Boss Person'}}"),
                m);
        assertTrue(text.contains("R&D") && text.contains("m2"), text);
        assertFalse(text.contains("Boss Person"), "read-only sub-attribute, not applied: " + text);
        assertEquals(1, m.protectedValues.size());
    }

    @Test
    void groupMemberDisplayIsNotKeptBecauseItIsNotApplied() {
        String id = "2819c223-7f76-453a-919d-413861904646";
        PatchEngine.PatchResult r = group("{'op':'add','path':'members','value':[{'value':'" + id
                + "','display':'ada@example.com'}]},{'op':'replace','path':'displayName','value':'Admins 2'}");
        ArrayNode log = r.operations().forLog(OperationRecord::omitted);
        String text = log.toString();
        assertFalse(text.contains("ada@example.com"), text);
        assertTrue(text.contains(id) && text.contains("Admins 2"), text);
        assertEquals(json("{'$omitted':true}"), log.get(0).get("value").get(0).get("display"));
    }

    @Test
    void theRecordKeepsTheClientsSpellingAndOrder() {
        PatchEngine.PatchResult r = PatchEngine.apply(
                ScimSchemas.USER_TYPE, obj(PatchEngineTest.USER), ops("{'Op':'Add','Path':'title','Value':'Dr'}"));
        assertEquals(
                json("[{'Op':'Add','Path':'title','Value':'Dr'}]"),
                r.operations().forLog(v -> v));
    }
}
