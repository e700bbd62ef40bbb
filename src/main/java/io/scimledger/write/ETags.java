package io.scimledger.write;

import io.scimledger.scim.ScimException;

/**
 * Resource versions as HTTP entity tags. The version is the stream version of the resource's last event, so
 * {@code If-Match} is exactly the expected-version check of the event store (RFC 7644 section 3.14).
 */
public final class ETags {

    private ETags() {}

    public static String of(long version) {
        return "W/\"" + version + "\"";
    }

    /** Throws 412 unless the If-Match header (absent, "*", or a list of tags) admits the current version. */
    public static void checkIfMatch(String ifMatch, long currentVersion) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return;
        }
        if (!matchesAny(ifMatch, currentVersion)) {
            throw ScimException.preconditionFailed(
                    "resource version is " + of(currentVersion) + ", If-Match asked for " + ifMatch.trim());
        }
    }

    /** True if one of the comma-separated tags (weak or strong) names the version. */
    public static boolean matchesAny(String header, long version) {
        for (String tag : header.split(",")) {
            String t = tag.trim();
            if (t.equals("*")) {
                return true;
            }
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
                t = t.substring(1, t.length() - 1);
            }
            if (t.equals(Long.toString(version))) {
                return true;
            }
        }
        return false;
    }
}
