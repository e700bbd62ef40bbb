package io.scimledger.tenants;

import io.scimledger.scim.ScimException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;

/** What a tenant may be called, and the stream of the log that records its administration. */
public final class TenantName {

    /** Safe in a URL path segment, a Kafka header and a log line; long enough for a UUID with a prefix. */
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    private TenantName() {}

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /** @throws ScimException 400 invalidValue naming the rule */
    public static String require(String name) {
        if (!isValid(name)) {
            throw ScimException.invalidValue(
                    "a tenant name is 1 to 200 letters, digits, '.', '_' or '-', starting with a" + " letter or digit");
        }
        return name;
    }

    /** The id of the tenant's own stream in the log: derived from the name, so it needs no lookup. */
    public static UUID streamId(String name) {
        return UUID.nameUUIDFromBytes(("scim-ledger-tenant:" + name).getBytes(StandardCharsets.UTF_8));
    }
}
