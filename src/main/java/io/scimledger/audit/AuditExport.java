package io.scimledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scimledger.events.JsonSupport;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;

/**
 * Streams an audit answer as NDJSON (one JSON object per line, {@code application/x-ndjson}) or CSV (RFC 4180:
 * header line, CRLF line ends, fields with a comma, quote or line break enclosed in double quotes and inner quotes
 * doubled; nested values as their JSON text), for a SIEM or an archive.
 *
 * <p>Memory stays flat however large the export: rows come from a {@link Source} one batch of {@link #BATCH}
 * at a time (keyset on the log position), each batch is written and flushed before the next is read, and no
 * database connection is held between batches. The output is written on the request's worker thread.
 */
public final class AuditExport {

    public static final int BATCH = 1000;
    public static final String NDJSON = "application/x-ndjson";
    public static final String CSV = "text/csv";

    public enum Format {
        NDJSON(AuditExport.NDJSON, "ndjson"),
        CSV(AuditExport.CSV, "csv");

        public final String mediaType;
        public final String extension;

        Format(String mediaType, String extension) {
            this.mediaType = mediaType;
            this.extension = extension;
        }
    }

    /** A batch of rows and the cursor after it (null when there are no more). */
    public record Batch(List<? extends JsonNode> rows, Long nextAfter) {}

    /** Reads the batch of at most {@code limit} rows after {@code after}. */
    @FunctionalInterface
    public interface Source {
        Batch read(long after, int limit);
    }

    private AuditExport() {}

    /**
     * @param columns CSV columns as dotted paths into each row (e.g. {@code actor.subject}); ignored for NDJSON
     * @param first   the first batch, already read (so errors such as 404 surface before the response starts), or null
     */
    public static StreamingOutput stream(Format format, List<String> columns, Batch first, Source source) {
        return out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 16 * 1024);
            if (format == Format.CSV) {
                for (int i = 0; i < columns.size(); i++) {
                    if (i > 0) {
                        w.write(',');
                    }
                    w.write(csvField(columns.get(i)));
                }
                w.write("\r\n");
            }
            Batch batch = first != null ? first : source.read(0, BATCH);
            while (true) {
                for (JsonNode row : batch.rows()) {
                    if (format == Format.NDJSON) {
                        w.write(JsonSupport.MAPPER.writeValueAsString(row));
                        w.write('\n');
                    } else {
                        writeCsvRow(w, columns, row);
                    }
                }
                w.flush();
                if (batch.nextAfter() == null) {
                    break;
                }
                batch = source.read(batch.nextAfter(), BATCH);
            }
            w.flush();
        };
    }

    /** A source over a fixed list (an answer that is small by nature, e.g. one user's membership intervals). */
    public static Batch all(List<? extends JsonNode> rows) {
        return new Batch(rows, null);
    }

    static void writeCsvRow(Writer w, List<String> columns, JsonNode row) throws IOException {
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            JsonNode v = at(row, columns.get(i));
            if (v == null || v.isNull() || v.isMissingNode()) {
                continue;
            }
            w.write(csvField(v.isValueNode() ? v.asText() : JsonSupport.MAPPER.writeValueAsString(v)));
        }
        w.write("\r\n");
    }

    private static JsonNode at(JsonNode row, String path) {
        JsonNode n = row;
        for (Iterator<String> it = List.of(path.split("\\.")).iterator(); it.hasNext() && n != null; ) {
            n = n instanceof ObjectNode o ? o.get(it.next()) : null;
        }
        return n;
    }

    /** RFC 4180 quoting: enclosed in double quotes when it holds a comma, quote, CR or LF; quotes doubled. */
    public static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
