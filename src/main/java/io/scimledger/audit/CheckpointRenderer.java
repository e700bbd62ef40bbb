package io.scimledger.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** The JSON form of checkpoints for {@code GET /audit/checkpoints}: ranges, roots, signature and the signed text. */
public final class CheckpointRenderer {

    private static final HexFormat HEX = HexFormat.of();

    private CheckpointRenderer() {}

    /**
     * A page of checkpoints read with {@code limit + 1} rows: the first {@code limit} are listed and, when there
     * were more, {@code nextAfter} is the last listed id.
     */
    public static ObjectNode page(List<Checkpoint> rows, long afterId, int limit) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode arr = out.putArray("checkpoints");
        long lastId = afterId;
        int n = 0;
        for (Checkpoint c : rows) {
            if (++n > limit) {
                out.put("nextAfter", lastId);
                break;
            }
            arr.add(toJson(c));
            lastId = c.id();
        }
        return out;
    }

    static ObjectNode toJson(Checkpoint c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", c.id());
        o.putObject("from").put("txId", c.fromTxId()).put("position", c.fromPosition());
        o.putObject("to").put("txId", c.toTxId()).put("position", c.toPosition());
        o.put("eventCount", c.eventCount());
        o.put("prevRoot", HEX.formatHex(c.prevRoot()));
        o.put("root", HEX.formatHex(c.root()));
        o.put("createdAt", c.createdAt().toString());
        o.put("keyId", c.keyId());
        o.put("signature", Base64.getEncoder().encodeToString(c.signature()));
        o.put("signed", c.signedText());
        return o;
    }
}
