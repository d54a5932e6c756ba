package io.coscale.api;

import static io.coscale.api.TestTokens.config;
import static io.coscale.api.TestTokens.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coscale.api.auth.AuthStartupCheck;
import io.quarkus.runtime.LaunchMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthStartupCheckTest {

    @Test
    void productionWithAuthOnAndNoTokenRefusesNamingTheSettings() {
        List<String> problems = AuthStartupCheck.problems(config(true), Map.of(), LaunchMode.NORMAL);
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("coscale.auth.tokens.<name>.secret"), problems.get(0));
        assertTrue(problems.get(0).contains("coscale.auth.enabled=false"), problems.get(0));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new AuthStartupCheck(config(true), Map::of).check(LaunchMode.NORMAL));
        assertTrue(e.getMessage().contains("coscale.auth.tokens.<name>.secret"), e.getMessage());
    }

    @Test
    void productionRunsOpenOnlyWhenAskedTo() {
        assertEquals(List.of(), AuthStartupCheck.problems(config(false), Map.of(), LaunchMode.NORMAL));
        new AuthStartupCheck(config(false), Map::of).check(LaunchMode.NORMAL);
    }

    @Test
    void devAndTestWithoutTokensOnlyWarn() {
        assertEquals(List.of(), AuthStartupCheck.problems(config(true), Map.of(), LaunchMode.DEVELOPMENT));
        assertEquals(List.of(), AuthStartupCheck.problems(config(true), Map.of(), LaunchMode.TEST));
    }

    @Test
    void aGoodConfigPasses() {
        assertEquals(List.of(), AuthStartupCheck.problems(config(true,
                "ci", token("a-long-secret", "submit"),
                "ops", token("another-secret", "ADMIN", " read ")), Map.of(), LaunchMode.NORMAL));
    }

    @Test
    void blankSecretsUnknownRolesMissingRolesAndSharedSecretsAreNamedInAnyMode() {
        List<String> problems = AuthStartupCheck.problems(config(true,
                "blank", token("   ", "read"),
                "typo", token("secret-1", "reader"),
                "none", token("secret-2"),
                "twin", token("secret-1", "worker")), Map.of(), LaunchMode.TEST);
        assertEquals(List.of(
                "coscale.auth.tokens.blank.secret is blank",
                "coscale.auth.tokens.none.roles is empty; use submit, worker, read, replica or admin",
                "coscale.auth.tokens.typo.roles has unknown role 'reader'; use submit, worker, read, replica or admin",
                "coscale.auth.tokens.typo.secret is the same as coscale.auth.tokens.twin.secret"),
                problems.stream().sorted().toList());
        problems.forEach(p -> assertTrue(!p.contains("secret-1") && !p.contains("secret-2"), p));
    }

    @Test
    void tokensAreNotCheckedWhenAuthIsOff() {
        assertEquals(List.of(), AuthStartupCheck.problems(config(false, "x", token("", "bogus")), Map.of(), LaunchMode.NORMAL));
    }
}
