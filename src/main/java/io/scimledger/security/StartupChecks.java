package io.scimledger.security;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.scimledger.privacy.MasterKey;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start an unsafe production service: the development JWT key (whose private half is in the repository)
 * is accepted only in the dev and test profiles, and a master key for personal data is required.
 */
@Singleton
public class StartupChecks {

    static final String DEV_PUBLIC_KEY_RESOURCE = "dev/dev-jwt-public.pem";

    @ConfigProperty(name = "mp.jwt.verify.publickey.location")
    Optional<String> publicKeyLocation;

    @ConfigProperty(name = "mp.jwt.verify.publickey")
    Optional<String> publicKey;

    @ConfigProperty(name = "smallrye.jwt.verify.key.location")
    Optional<String> keyLocation;

    @ConfigProperty(name = "mp.jwt.verify.issuer")
    Optional<String> issuer;

    /** The issuer deploy/mint-dev-token.sh writes; a production service must trust its own issuer instead. */
    static final String DEV_ISSUER = "https://scim-ledger.local/dev";

    void onStart(@Observes StartupEvent event, MasterKey masterKey) {
        masterKey.id(); // fails start-up, not the first write, when the master key is missing or malformed
        check(LaunchMode.current(), publicKeyLocation, publicKey, keyLocation, readDevKey());
        checkIssuer(LaunchMode.current(), issuer);
    }

    /** Pure decision, separated for tests. */
    static void check(
            LaunchMode mode,
            Optional<String> location,
            Optional<String> inlineKey,
            Optional<String> keyLocation,
            String devKey) {
        if (mode == LaunchMode.DEVELOPMENT || mode == LaunchMode.TEST) {
            return;
        }
        if (location.isEmpty() && inlineKey.isEmpty() && keyLocation.isEmpty()) {
            throw new IllegalStateException("no JWT verification key configured: set mp.jwt.verify.publickey.location "
                    + "(a PEM file or a JWKS URL) and mp.jwt.verify.issuer");
        }
        String configured = inlineKey.orElseGet(
                () -> location.map(StartupChecks::readQuietly).orElse(""));
        boolean isDevKey =
                !normalise(configured).isEmpty() && normalise(configured).equals(normalise(devKey));
        if (isDevKey || location.filter(DEV_PUBLIC_KEY_RESOURCE::equals).isPresent()) {
            throw new IllegalStateException("the development JWT key is refused outside the dev and test profiles");
        }
    }

    static void checkIssuer(LaunchMode mode, Optional<String> issuer) {
        if (mode == LaunchMode.DEVELOPMENT || mode == LaunchMode.TEST) {
            return;
        }
        if (issuer.isEmpty() || issuer.get().isBlank() || issuer.get().equals(DEV_ISSUER)) {
            throw new IllegalStateException("set SCIM_JWT_ISSUER (mp.jwt.verify.issuer) to the issuer of your tokens; "
                    + "the development issuer is refused outside the dev and test profiles");
        }
    }

    private static String readDevKey() {
        return readQuietly(DEV_PUBLIC_KEY_RESOURCE);
    }

    private static String readQuietly(String location) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(location)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
            Path p = Path.of(location.replaceFirst("^file:", ""));
            return Files.isRegularFile(p) ? Files.readString(p) : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String normalise(String pem) {
        return pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    }
}
