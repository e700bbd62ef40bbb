package io.scimledger.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.scimledger.audit.AuditLog.HistoryEntry;
import io.scimledger.events.JsonSupport;
import io.scimledger.events.StoredEvent;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON form of one history event (docs/audit.md, question 1). Written straight to a generator: a page of 1,000
 * events is ~600 KB, and building it as a tree first, then serialising the tree, was most of the page's cost.
 */
public final class HistoryJson {

    private HistoryJson() {}

    /** Writes the entry as one JSON object. */
    public static void write(HistoryEntry h, JsonGenerator g) throws IOException {
        StoredEvent e = h.event();
        ObjectNode payload = h.payload();
        g.writeStartObject();
        g.writeNumberField("position", e.position());
        g.writeStringField("eventId", e.eventId().toString());
        g.writeNumberField("version", e.version());
        g.writeStringField("type", e.type().name());
        g.writeStringField("occurredAt", e.occurredAt().toString());
        g.writeObjectFieldStart("actor");
        g.writeStringField("subject", e.actorSubject());
        g.writeStringField("clientId", e.actorClientId());
        g.writeEndObject();
        g.writeStringField("clientAddress", e.clientAddress());
        g.writeStringField("requestId", e.requestId());
        g.writeStringField("txn", e.txnId().toString());
        if (payload.has("changed")) {
            g.writeFieldName("changed");
            g.writeTree(payload.get("changed"));
        }
        g.writeFieldName("changes");
        g.writeTree(h.changes());
        if (payload.has("request")) {
            g.writeFieldName("request");
            g.writeTree(payload.get("request"));
        }
        if (h.personalDataReadable() != null) {
            g.writeBooleanField("personalDataReadable", h.personalDataReadable());
        }
        g.writeEndObject();
    }

    /** The entry as a tree (for exports, which pick CSV columns by path); the same fields as {@link #write}. */
    public static ObjectNode toNode(HistoryEntry h) {
        try (TokenBuffer buffer = new TokenBuffer(JsonSupport.MAPPER, false)) {
            write(h, buffer);
            return JsonSupport.MAPPER.readTree(buffer.asParser());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
