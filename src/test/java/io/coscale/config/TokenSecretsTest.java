package io.coscale.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenSecretsTest {

    private record Token(Optional<String> secret, Set<String> roles, Optional<Set<String>> pools)
            implements AuthConfig.Token {
    }

    private static Token configured(String secret) {
        return new Token(Optional.of(secret), Set.of("worker"), Optional.empty());
    }

    private static Token fromSecret() {
        return new Token(Optional.empty(), Set.of("worker"), Optional.of(Set.of("gpu")));
    }

    private static List<String> secretsOf(Map<String, AuthConfig.Token> tokens, Map<String, String> document) {
        return TokenSecrets.resolve(tokens, document).get(0).secrets();
    }

    @Test
    void whichSecretsATokenAccepts() {
        record Row(AuthConfig.Token token, Map<String, String> document, List<String> accepted) {
        }
        List<Row> table = List.of(
                // Its own setting wins over the document, whose keys for it are then ignored.
                new Row(configured(" own "), Map.of("w", "doc", "w_old", "old"), List.of("own")),
                // Without one, the document's key of its name…
                new Row(fromSecret(), Map.of("w", "current"), List.of("current")),
                // …and, during a rotation's overlap, the old key too, current first.
                new Row(fromSecret(), Map.of("w", "current", "w_old", "previous"), List.of("current", "previous")),
                // Retired: the old key is gone and only the new secret is accepted.
                new Row(fromSecret(), Map.of("w", "current", "other", "x"), List.of("current")),
                // Blank keys count as absent; a token with nothing accepts nothing.
                new Row(fromSecret(), Map.of("w", " ", "w_old", "previous"), List.of("previous")),
                new Row(fromSecret(), Map.of(), List.of()));
        for (Row row : table) {
            assertEquals(row.accepted(), secretsOf(Map.of("w", row.token()), row.document()), row.toString());
        }
    }

    @Test
    void rolesAndPoolsComeFromTheConfigurationNotTheSecret() {
        TokenSecrets.Accepted accepted = TokenSecrets.resolve(Map.of("gpuworker", fromSecret()),
                Map.of("gpuworker", "s")).get(0);
        assertEquals(new TokenSecrets.Accepted("gpuworker", List.of("s"), Set.of("worker"), Optional.of(Set.of("gpu"))),
                accepted);
    }

    @Test
    void problemsNameTheMissingKeyAndSharedSecretsButNoSecret() {
        Map<String, AuthConfig.Token> tokens = Map.of("upstream", fromSecret(), "worker", fromSecret(),
                "replica", fromSecret());
        assertEquals(List.of(
                "coscale.auth.tokens.replica.secret is not set and coscale.auth.token-secret has no key 'replica'",
                "coscale.auth.tokens.worker.secret is the same as coscale.auth.tokens.upstream.secret"),
                TokenSecrets.problems(tokens, Map.of("upstream", "s1", "worker_old", "s1"), true));
        assertEquals(List.of("coscale.auth.tokens.replica.secret is not set; set it, or set coscale.auth.token-secret"
                        + " to a secret with the key 'replica'"),
                TokenSecrets.problems(Map.of("replica", fromSecret()), Map.of(), false));
        assertEquals(List.of(), TokenSecrets.problems(tokens,
                Map.of("upstream", "s1", "worker", "s2", "worker_old", "s3", "replica", "s4"), true));
    }
}
