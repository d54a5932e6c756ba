package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
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

    /**
     * A Secrets Manager secret (name or ARN) whose value is a JSON object of strings: the key {@code <name>} is the
     * secret of token {@code <name>} when {@code coscale.auth.tokens.<name>.secret} is not set, and the key
     * {@code <name>_old}, while present, is accepted for that token too (a rotation's overlap). Read at start (a
     * secret that cannot be read stops start-up) and every {@code token-refresh}, so tokens rotate without a restart.
     * Default none: every token needs its {@code secret}.
     */
    Optional<String> tokenSecret();

    /** How often {@code token-secret} is read again; a failed read keeps the tokens last read. Default 60s. */
    @WithDefault("60s")
    Duration tokenRefresh();

    /** Endpoint of the Secrets Manager API; unset (the default) means the Region's real endpoint. */
    Optional<URI> secretsEndpointOverride();

    /** One accepted token. */
    interface Token {

        /**
         * The bearer secret, sent as {@code Authorization: Bearer <secret>}; not blank; compared in constant time.
         * Supply it from the environment (e.g. {@code COSCALE_AUTH_TOKENS_CI_SECRET}), not a file; unset, the key
         * {@code <name>} of {@code coscale.auth.token-secret} holds it.
         */
        Optional<String> secret();

        /**
         * What the token may do: any of {@code submit} (post jobs), {@code worker} (claim, release), {@code read}
         * (pool status, events, the leader), {@code replica} (one replica passing its job counts to the leader) and
         * {@code admin} (everything, including {@code /local/…}). Required, comma-separated.
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
