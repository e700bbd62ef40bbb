package io.scimledger.security;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quarkus.runtime.LaunchMode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The development JWT key and issuer are refused outside the dev and test profiles. */
class StartupChecksTest {

    static final String DEV_KEY = "-----BEGIN PUBLIC KEY-----\nAAAABBBB\n-----END PUBLIC KEY-----\n";

    @Test
    void devKeyIsAcceptedInDevAndTest() {
        assertDoesNotThrow(() -> StartupChecks.check(
                LaunchMode.DEVELOPMENT,
                Optional.of(StartupChecks.DEV_PUBLIC_KEY_RESOURCE),
                Optional.empty(),
                Optional.empty(),
                DEV_KEY));
        assertDoesNotThrow(() -> StartupChecks.check(
                LaunchMode.TEST, Optional.empty(), Optional.of(DEV_KEY), Optional.empty(), DEV_KEY));
    }

    @Test
    void devKeyIsRefusedInProduction() {
        assertThrows(
                IllegalStateException.class,
                () -> StartupChecks.check(
                        LaunchMode.NORMAL,
                        Optional.of(StartupChecks.DEV_PUBLIC_KEY_RESOURCE),
                        Optional.empty(),
                        Optional.empty(),
                        DEV_KEY));
        assertThrows(
                IllegalStateException.class,
                () -> StartupChecks.check(
                        LaunchMode.NORMAL,
                        Optional.empty(),
                        Optional.of("  " + DEV_KEY.replace("\n", " ")),
                        Optional.empty(),
                        DEV_KEY));
    }

    @Test
    void productionNeedsSomeKeyAndAcceptsItsOwn() {
        assertThrows(
                IllegalStateException.class,
                () -> StartupChecks.check(
                        LaunchMode.NORMAL, Optional.empty(), Optional.empty(), Optional.empty(), DEV_KEY));
        assertDoesNotThrow(() -> StartupChecks.check(
                LaunchMode.NORMAL,
                Optional.empty(),
                Optional.of("-----BEGIN PUBLIC KEY-----\nCCCC\n-----END PUBLIC KEY-----"),
                Optional.empty(),
                DEV_KEY));
        assertDoesNotThrow(() -> StartupChecks.check(
                LaunchMode.NORMAL,
                Optional.of("https://idp.example/jwks"),
                Optional.empty(),
                Optional.empty(),
                DEV_KEY));
    }

    @Test
    void productionRefusesTheDevIssuer() {
        assertThrows(
                IllegalStateException.class,
                () -> StartupChecks.checkIssuer(LaunchMode.NORMAL, Optional.of(StartupChecks.DEV_ISSUER)));
        assertThrows(IllegalStateException.class, () -> StartupChecks.checkIssuer(LaunchMode.NORMAL, Optional.empty()));
        assertDoesNotThrow(
                () -> StartupChecks.checkIssuer(LaunchMode.NORMAL, Optional.of("https://login.example.com")));
        assertDoesNotThrow(
                () -> StartupChecks.checkIssuer(LaunchMode.DEVELOPMENT, Optional.of(StartupChecks.DEV_ISSUER)));
    }
}
