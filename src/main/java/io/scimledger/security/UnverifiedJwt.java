package io.scimledger.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.scimledger.events.JsonSupport;
import java.util.Base64;

/**
 * Reads claims of a JWT before its signature is checked, only to choose which verifier checks it. Nothing read here
 * is trusted: the chosen verifier checks the signature, issuer and audience itself.
 */
final class UnverifiedJwt {

    private UnverifiedJwt() {}

    /** The {@code iss} claim, or null when the token is not a compact JWS with a JSON payload. */
    static String issuer(String token) {
        JsonNode claims = claims(token);
        JsonNode iss = claims == null ? null : claims.get("iss");
        return iss != null && iss.isTextual() ? iss.asText() : null;
    }

    static JsonNode claims(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second < 0 || token.length() > 16_384) {
            return null;
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
            JsonNode n = JsonSupport.MAPPER.readTree(json);
            return n != null && n.isObject() ? n : null;
        } catch (RuntimeException | java.io.IOException e) {
            return null;
        }
    }
}
