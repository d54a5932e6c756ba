package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer-token authentication of the API ({@code /v1/…} and {@code /local/…}). Checked at start-up by
 * {@code io.coscale.api.AuthStartupCheck}: with auth on, a production launch needs at least one token.
 */
@ConfigMapping(prefix = "coscale.auth")
public interface AuthConfig {

    /**
     * Whether API calls need a bearer token. Default true; false in the dev, local and test profiles (set
     * {@code coscale.auth.enabled=true} there to try auth locally).
     */
    @WithDefault("true")
    boolean enabled();

    /** The accepted tokens by name ({@code coscale.auth.tokens.<name>.…}). The name is logged, the secret never. Default none. */
    Map<String, Token> tokens();

    /** One accepted token. */
    interface Token {

        /**
         * The bearer secret, sent as {@code Authorization: Bearer <secret>}. Required and not blank; compared in
         * constant time. Supply it from the environment (e.g. {@code COSCALE_AUTH_TOKENS_CI_SECRET}), not a file.
         */
        String secret();

        /**
         * What the token may do: any of {@code submit} (post jobs), {@code worker} (claim, release), {@code read}
         * (pool status, events, the leader) and {@code admin} (everything, including {@code /local/…}). Required, comma-separated.
         */
        Set<String> roles();

        /**
         * The pools whose tasks a token with the {@code worker} role may claim and release; absent: every pool. Give
         * each pool's workers a token of their own bound to their pool, so that a worker of one pool can neither
         * unprotect nor scale down another pool's tasks (a claim or release of a task outside these pools is 403 and
         * changes nothing). Comma-separated pool names.
         */
        Optional<Set<String>> pools();
    }
}
