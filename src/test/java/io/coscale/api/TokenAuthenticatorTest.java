package io.coscale.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coscale.api.auth.AuthFilter;
import io.coscale.api.auth.Caller;
import io.coscale.api.auth.Role;
import io.coscale.api.auth.TokenAuthenticator;
import io.coscale.config.TokenSecrets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenAuthenticatorTest {

    private final TokenAuthenticator auth = new TokenAuthenticator(TokenSecrets.resolve(TestTokens.config(true,
            "ci", TestTokens.token("s3cret-ci", "submit"),
            "ops", TestTokens.token("s3cret-ops", "admin", "read"),
            "odd", TestTokens.token(" padded ", "read", "no-such-role")).tokens(), Map.of()));

    @Test
    void findsTheTokenAndItsRoles() {
        Caller caller = auth.authenticate("s3cret-ops").orElseThrow();
        assertEquals("ops", caller.tokenName());
        assertEquals(Set.of(Role.ADMIN, Role.READ), caller.roles());
        assertEquals("ci", auth.authenticate("s3cret-ci").orElseThrow().getName());
    }

    @ParameterizedTest
    @CsvSource(value = {"s3cret-c", "'s3cret-ci '", "S3CRET-CI", "s3cret-ci-and-more", "''", "NULL"}, nullValues = "NULL")
    void rejectsEverythingElse(String presented) {
        assertEquals(Optional.empty(), auth.authenticate(presented));
    }

    @Test
    void configuredSecretsAreStrippedLikePresentedOnesAndUnknownRolesDropped() {
        Caller caller = auth.authenticate("padded").orElseThrow();
        assertEquals(Set.of(Role.READ), caller.roles());
    }

    @Test
    void constantTimeComparisonIsStillEquality() {
        assertTrue(TokenAuthenticator.secretsEqual("abc", "abc"));
        assertFalse(TokenAuthenticator.secretsEqual("abc", "abd"));
        assertFalse(TokenAuthenticator.secretsEqual("abc", "abcd"));
        assertFalse(TokenAuthenticator.secretsEqual("abc", null));
        assertFalse(TokenAuthenticator.secretsEqual(null, null));
    }

    @Test
    void digestsHaveOneLengthWhateverTheSecret() {
        // Equal-length inputs are what make MessageDigest.isEqual constant-time and hide the secret's length.
        assertEquals(32, TokenAuthenticator.sha256("").length);
        assertEquals(32, TokenAuthenticator.sha256("x".repeat(10_000)).length);
    }

    @Test
    void adminImpliesEveryRole() {
        Caller admin = new Caller("ops", Set.of(Role.ADMIN));
        for (Role role : Role.values()) {
            assertTrue(admin.has(role), role.key());
        }
        Caller reader = new Caller("dash", Set.of(Role.READ));
        assertTrue(reader.has(Role.READ));
        assertFalse(reader.has(Role.SUBMIT));
        assertFalse(reader.has(Role.ADMIN));
    }

    @ParameterizedTest
    @CsvSource(value = {"'Bearer abc', abc", "'bearer abc', abc", "'BEARER   abc  ', abc", "'Basic abc', NULL",
            "'Bearer ', NULL", "'Bearer', NULL", "'Bearerabc', NULL", "NULL, NULL"}, nullValues = "NULL")
    void bearerHeaderParsing(String header, String secret) {
        assertEquals(Optional.ofNullable(secret), AuthFilter.bearerSecret(header));
    }
}
