package io.coscale.api;

import io.coscale.config.AuthConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Hand-built {@link AuthConfig} values for unit tests, without booting Quarkus. */
final class TestTokens {

    private TestTokens() {
    }

    record Token(Optional<String> secret, Set<String> roles, Optional<Set<String>> pools) implements AuthConfig.Token {

        Token(String secret, Set<String> roles) {
            this(Optional.ofNullable(secret), roles, Optional.empty());
        }
    }

    record Config(boolean enabled, Map<String, AuthConfig.Token> tokens, Optional<String> tokenSecret)
            implements AuthConfig {

        Config(boolean enabled, Map<String, AuthConfig.Token> tokens) {
            this(enabled, tokens, Optional.empty());
        }

        @Override
        public Duration tokenRefresh() {
            return Duration.ofSeconds(60);
        }

        @Override
        public Optional<URI> secretsEndpointOverride() {
            return Optional.empty();
        }
    }

    static Token token(String secret, String... roles) {
        return new Token(secret, new LinkedHashSet<>(Arrays.asList(roles)));
    }

    /** A config from alternating name, token pairs. */
    static Config config(boolean enabled, Object... nameThenToken) {
        Map<String, AuthConfig.Token> tokens = new LinkedHashMap<>();
        for (int i = 0; i < nameThenToken.length; i += 2) {
            tokens.put((String) nameThenToken[i], (Token) nameThenToken[i + 1]);
        }
        return new Config(enabled, tokens);
    }
}
