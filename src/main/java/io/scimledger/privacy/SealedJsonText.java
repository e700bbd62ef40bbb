package io.scimledger.privacy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.JsonSupport;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Set;

/**
 * Opens a stored-form resource given as JSON text straight into JSON text, in one streaming pass: every sealed value
 * ({@code {"$enc": "..."}}) is replaced by its plaintext, or dropped without a key, exactly as
 * {@link PersonalDataCipher#open} does on the parsed tree.
 *
 * <p>Why: a projection rebuild opens one state per resource, half a million for a million events. Parsing each state
 * into a tree, copying the tree while opening it, parsing every plaintext and rendering the tree again was most of
 * the rebuild's CPU per state. A plaintext is JSON text already ({@link PersonalDataCipher#seal} encrypts the value's
 * JSON rendering), so it is copied in as it is, and everything else is copied token by token.
 *
 * <p>Scalars keep their text (a number as the log holds it), so the result may differ from the tree's rendering in
 * spelling, not in JSON value. A shape {@link PersonalDataCipher#open} treats in a way this pass does not copy ("$enc"
 * first beside other members, or with a value that is not a string) gives null: the caller opens the tree instead.
 */
public final class SealedJsonText {

    /** The opened JSON text, and the requested top-level members as opened trees (absent: missing or dropped). */
    public record Opened(String json, ObjectNode fields) {}

    private static final JsonFactory FACTORY = JsonSupport.MAPPER.getFactory();

    private SealedJsonText() {}

    /**
     * @param json a JSON object as the log holds it
     * @param key the subject's data key; empty if there is none (sealed values are dropped)
     * @param fields top-level members the caller needs as values (e.g. userName), given back opened in
     *     {@link Opened#fields()}
     * @return the opened object, or null if its shape needs the tree (see the class comment)
     */
    public static Opened open(String json, Optional<DataKey> key, Set<String> fields) {
        StringWriter out = new StringWriter(json.length());
        ObjectNode picked = JsonNodeFactory.instance.objectNode();
        try (JsonParser p = FACTORY.createParser(json);
                JsonGenerator g = FACTORY.createGenerator(out)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            g.writeStartObject();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (fields.contains(name)) {
                    // few per state: read as a tree and opened by the tree's own rules, kept and written
                    JsonNode value = PersonalDataCipher.open(JsonSupport.MAPPER.readTree(p), key);
                    if (value != null) {
                        picked.set(name, value);
                        g.writeFieldName(name);
                        g.writeTree(value);
                    }
                } else if (!copy(p, g, name, key)) {
                    return null;
                }
            }
            g.writeEndObject();
            if (p.nextToken() != null) {
                return null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a stored state that is not JSON", e);
        }
        return new Opened(out.toString(), picked);
    }

    /**
     * Copies the value at the parser's current token, opened, under {@code name} (null inside an array). Writes
     * nothing for a sealed value without a key. Returns false for a shape left to the tree.
     */
    private static boolean copy(JsonParser p, JsonGenerator g, String name, Optional<DataKey> key) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                JsonToken first = p.nextToken();
                if (first == JsonToken.FIELD_NAME && PersonalDataCipher.SEALED.equals(p.currentName())) {
                    if (p.nextToken() != JsonToken.VALUE_STRING) {
                        return false;
                    }
                    String ciphertext = p.getText();
                    if (p.nextToken() != JsonToken.END_OBJECT) {
                        return false; // "$enc" beside other members is not a sealed value
                    }
                    if (key.isPresent()) {
                        writeName(g, name);
                        g.writeRawValue(PersonalDataCipher.decryptText(ciphertext, key.get()));
                    }
                    return true;
                }
                writeName(g, name);
                g.writeStartObject();
                for (JsonToken f = first; f == JsonToken.FIELD_NAME; f = p.nextToken()) {
                    String member = p.currentName();
                    p.nextToken();
                    if (!copy(p, g, member, key)) {
                        return false;
                    }
                }
                g.writeEndObject();
            }
            case START_ARRAY -> {
                writeName(g, name);
                g.writeStartArray();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (!copy(p, g, null, key)) {
                        return false;
                    }
                }
                g.writeEndArray();
            }
            case VALUE_STRING -> {
                writeName(g, name);
                g.writeString(p.getText());
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                writeName(g, name);
                g.writeNumber(p.getText());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                writeName(g, name);
                g.writeBoolean(t == JsonToken.VALUE_TRUE);
            }
            case VALUE_NULL -> {
                writeName(g, name);
                g.writeNull();
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void writeName(JsonGenerator g, String name) throws IOException {
        if (name != null) {
            g.writeFieldName(name);
        }
    }
}
