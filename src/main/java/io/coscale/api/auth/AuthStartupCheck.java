package io.coscale.api.auth;

import io.coscale.config.AuthConfig;
import io.coscale.config.TokenSecretSource;
import io.coscale.config.TokenSecrets;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Refuses to start with an auth configuration that would leave the API open by mistake or unusable:
 * <ul>
 *   <li>in a production launch ({@link LaunchMode#NORMAL}: the {@code prod} profile or any custom one), auth on and
 *       no token configured;</li>
 *   <li>in any mode with auth on, a token without a secret (its own, or a key of the token secret), a blank
 *       secret, a token without roles, an unknown role name, or two tokens sharing a secret (the caller would be
 *       ambiguous).</li>
 * </ul>
 * Each message names the offending key, never a secret. Throwing from a {@link StartupEvent} observer makes
 * Quarkus abort start-up and exit non-zero; this observer runs before the application's own ones so nothing
 * (queues, emulator, scheduler) starts first.
 */
@ApplicationScoped
public class AuthStartupCheck {

    private static final Logger LOG = Logger.getLogger(AuthStartupCheck.class);
    private static final String PREFIX = "coscale.auth.tokens.";

    private final AuthConfig config;
    private final TokenSecretSource tokenSecret;

    /** A check of {@code config}, with the token secret read from {@code tokenSecret}. */
    public AuthStartupCheck(AuthConfig config, TokenSecretSource tokenSecret) {
        this.config = config;
        this.tokenSecret = tokenSecret;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        check(LaunchMode.current());
    }

    /**
     * Validates the configuration for {@code mode}; logs the outcome (token names only) and throws
     * {@link IllegalStateException} listing every problem if there is any.
     */
    public void check(LaunchMode mode) {
        List<String> problems = problems(config, config.enabled() ? tokenSecret.current() : Map.of(), mode);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid auth configuration: " + String.join("; ", problems));
        }
        if (!config.enabled()) {
            LOG.warn("API authentication is disabled (coscale.auth.enabled=false): anyone who can reach the port can use it");
        } else if (config.tokens().isEmpty()) {
            LOG.warn("API authentication is enabled but no token is configured: every /v1 and /local call will get 401");
        } else {
            LOG.infof("API authentication enabled with tokens %s", new TreeMap<>(config.tokens()).keySet());
            if (config.tokens().values().stream().noneMatch(t -> t.roles().stream()
                    .anyMatch(r -> Role.fromKey(r).filter(Role.REPLICA::equals).isPresent()))) {
                LOG.warn("No token has the replica role: with more than one replica, a follower cannot pass the jobs"
                        + " it accepts to the leader, which then scales for them only at its next queue read");
            }
        }
    }

    /**
     * Every problem with {@code config} for a launch in {@code mode}, each naming its configuration key; empty
     * when it is fine. Pure, for unit tests.
     */
    public static List<String> problems(AuthConfig config, Map<String, String> document, LaunchMode mode) {
        List<String> problems = new ArrayList<>();
        if (!config.enabled()) {
            return problems;
        }
        if (config.tokens().isEmpty() && mode == LaunchMode.NORMAL) {
            problems.add("authentication is on but no token is configured; set " + PREFIX
                    + "<name>.secret and " + PREFIX + "<name>.roles, or coscale.auth.enabled=false to run open");
        }
        problems.addAll(TokenSecrets.problems(config.tokens(), document, config.tokenSecret().isPresent()));
        new TreeMap<>(config.tokens()).forEach((name, token) -> {
            if (token.roles() == null || token.roles().isEmpty()) {
                problems.add(PREFIX + name + ".roles is empty; use submit, worker, read, replica or admin");
            } else {
                for (String role : token.roles()) {
                    if (Role.fromKey(role).isEmpty()) {
                        problems.add(PREFIX + name + ".roles has unknown role '" + role
                                + "'; use submit, worker, read, replica or admin");
                    }
                }
            }
        });
        return problems;
    }
}
