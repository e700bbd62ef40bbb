package io.scimledger.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Deterministic JSON bytes for hashing: object keys sorted by UTF-16 code unit ({@link String#compareTo}, which
 * differs from code-point order only between non-BMP characters and U+E000..U+FFFF), no whitespace, strings as
 * Jackson 2.x escapes them (control characters; characters outside the BMP as an escaped surrogate pair; other
 * non-ASCII as raw UTF-8), integers as written, other numbers as plain decimals without trailing zeros. A JSON value
 * read back from a jsonb column yields the same bytes as the value that was written, which is what lets anyone
 * re-verify the hash chain from the stored rows alone. Every stored hash depends on these exact bytes:
 * {@code CanonicalJsonPinTest} pins them.
 */
public final class CanonicalJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private CanonicalJson() {}

    public static byte[] bytes(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            write(gen, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator gen, JsonNode node) throws IOException {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                fields.add(it.next());
            }
            fields.sort(Map.Entry.comparingByKey());
            gen.writeStartObject();
            for (Map.Entry<String, JsonNode> f : fields) {
                gen.writeFieldName(f.getKey());
                write(gen, f.getValue());
            }
            gen.writeEndObject();
        } else if (node.isArray()) {
            gen.writeStartArray();
            for (JsonNode element : node) {
                write(gen, element);
            }
            gen.writeEndArray();
        } else if (node.isTextual()) {
            gen.writeString(node.textValue());
        } else if (node.isNull() || node.isMissingNode()) {
            gen.writeNull();
        } else if (node.isBoolean()) {
            gen.writeBoolean(node.booleanValue());
        } else if (node.isIntegralNumber()) {
            gen.writeNumber(node.bigIntegerValue());
        } else if (node.isNumber()) {
            gen.writeNumber(node.decimalValue().stripTrailingZeros().toPlainString());
        } else {
            gen.writeString(node.asText());
        }
    }
}
