package io.scimledger.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import io.scimledger.scim.JsonMembers;
import io.scimledger.scim.ScimException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed BulkRequest (RFC 7644 section 3.7). Keys are matched without regard to case (Operations/operations,
 * bulkId/bulkid, ...). What makes the whole request unusable (no Operations array, duplicate bulkIds, a bad
 * failOnErrors) is a 400 here; what is wrong with one operation is kept on that operation, which then fails alone.
 */
public record BulkRequest(List<Operation> operations, int failOnErrors) {

    public static final String URN = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

    /**
     * One entry of Operations as sent. {@code error} is set when the entry itself is malformed (not an object,
     * method or bulkId not a string); such an operation fails with that error without being run.
     */
    public record Operation(
            int index, String method, String bulkId, String path, String version, JsonNode data, ScimException error) {}

    public static BulkRequest parse(JsonNode body) {
        JsonNode schemas = JsonMembers.get(body, "schemas");
        if (schemas != null && !schemas.isNull() && !mentions(schemas, URN)) {
            throw ScimException.invalidSyntax("'schemas' must contain " + URN);
        }
        JsonNode ops = JsonMembers.get(body, "Operations");
        if (ops == null || !ops.isArray()) {
            throw ScimException.invalidSyntax("a BulkRequest needs an 'Operations' array");
        }
        int failOnErrors = failOnErrors(JsonMembers.get(body, "failOnErrors"));
        List<Operation> operations = new ArrayList<>(ops.size());
        Map<String, Integer> bulkIds = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            Operation op = operation(i, ops.get(i));
            if (op.bulkId() != null) {
                Integer earlier = bulkIds.putIfAbsent(op.bulkId(), i);
                if (earlier != null) {
                    throw ScimException.invalidValue("bulkId '" + op.bulkId() + "' is used by Operations[" + earlier
                            + "] and Operations[" + i + "]; a bulkId must be unique within a request");
                }
            }
            operations.add(op);
        }
        return new BulkRequest(List.copyOf(operations), failOnErrors);
    }

    private static Operation operation(int index, JsonNode node) {
        if (node == null || !node.isObject()) {
            return new Operation(
                    index,
                    null,
                    null,
                    null,
                    null,
                    null,
                    ScimException.invalidSyntax("Operations[" + index + "] is not a JSON object"));
        }
        ScimException error = null;
        String method = null;
        JsonNode m = JsonMembers.get(node, "method");
        if (m != null && m.isTextual()) {
            method = m.asText().trim();
        } else {
            error = ScimException.invalidSyntax(
                    "Operations[" + index + "] needs a 'method' (POST, PUT, PATCH, DELETE)");
        }
        String bulkId = null;
        JsonNode b = JsonMembers.get(node, "bulkId");
        if (b != null && !b.isNull()) {
            if (b.isTextual() && !b.asText().isBlank()) {
                bulkId = b.asText();
            } else if (error == null) {
                error = ScimException.invalidSyntax("Operations[" + index + "].bulkId must be a non-empty string");
            }
        }
        JsonNode p = JsonMembers.get(node, "path");
        String path = p != null && p.isTextual() ? p.asText().trim() : null;
        JsonNode v = JsonMembers.get(node, "version");
        String version = v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
        JsonNode data = JsonMembers.get(node, "data");
        if (data != null && data.isNull()) {
            data = null;
        }
        return new Operation(index, method, bulkId, path, version, data, error);
    }

    /** Absent or null: no limit. Otherwise a positive integer (a numeric string is tolerated). */
    private static int failOnErrors(JsonNode value) {
        if (value == null || value.isNull()) {
            return Integer.MAX_VALUE;
        }
        long n;
        if (value.isIntegralNumber()) {
            n = value.asLong();
        } else if (value.isTextual() && value.asText().trim().matches("\\d{1,9}")) {
            n = Long.parseLong(value.asText().trim());
        } else {
            throw ScimException.invalidValue("failOnErrors must be a positive integer");
        }
        if (n < 1) {
            throw ScimException.invalidValue("failOnErrors must be a positive integer");
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    private static boolean mentions(JsonNode schemas, String urn) {
        if (schemas.isTextual()) {
            return schemas.asText().trim().equalsIgnoreCase(urn);
        }
        if (schemas.isArray()) {
            for (JsonNode s : schemas) {
                if (s.isTextual() && s.asText().trim().equalsIgnoreCase(urn)) {
                    return true;
                }
            }
        }
        return false;
    }
}
